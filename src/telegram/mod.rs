//! The Telegram front: teloxide's dispatcher on long polling or a webhook,
//! updates translated into engine inputs, replies rendered as Bot API
//! calls within Telegram's limits, and the support desk in the support
//! group. The only module that knows teloxide.

mod api;
mod commands;
mod desk;
mod error;
mod front;
mod group;
mod incoming;
mod render;
mod run;
mod settings;
mod split;
mod updates_log;

pub use error::TelegramError;
pub use run::{run, run_with_tickets, shutdown_signal};
pub use settings::{Mode, RateLimits, SupportGroup, TelegramArgs, TelegramSettings};
pub use updates_log::{MemoryUpdateLog, UpdateLog};
