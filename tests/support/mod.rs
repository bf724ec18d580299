//! Shared test support: a fake Telegram Bot API on loopback and the
//! updates tests make it deliver.
#![allow(dead_code)]

pub mod bot;
pub mod fake_bot_api;
pub mod html;
mod methods;
pub mod updates;
