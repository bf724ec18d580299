//! The terminal fronts on the same engine: the customer's chat, and the
//! support agent's side for trying escalation without Telegram (two
//! terminals on one database file).

mod agent;
mod customer;

pub use agent::run_agent;
pub use customer::{run, Options, CONSOLE_CHAT};
