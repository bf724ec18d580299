//! The Telegram front: teloxide's dispatcher on long polling or a webhook,
//! updates translated into engine inputs, replies rendered as Bot API
//! calls within Telegram's limits. The only module that knows teloxide.

mod api;
mod commands;
mod error;
mod front;
mod incoming;
mod render;
mod run;
mod settings;
mod split;
mod updates_log;

pub use error::TelegramError;
pub use run::{run, shutdown_signal};
pub use settings::{Mode, RateLimits, TelegramArgs, TelegramSettings};
pub use updates_log::{MemoryUpdateLog, UpdateLog};
