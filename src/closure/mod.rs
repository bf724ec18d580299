//! The pure closure state machine: `step(state, event, now, config) ->
//! (state, effects)` walks one chat through turning borrowing off or
//! cancelling the account. It does no I/O; the engine runs its effects and
//! feeds their results back as events.

mod button;
mod config;
mod effect;
mod event;
mod key;
mod message;
mod state;
mod step;
#[cfg(test)]
mod tests;
mod verdict;

pub use button::Button;
pub use config::Config;
pub use effect::{AgentReason, Effect};
pub use event::{Event, ExecResult};
pub use key::{IdempotencyKey, Nonce};
pub use message::{Message, BLOCKED_OVERDUE_KEY, SHARE_CONTACT_KEY, TEXT_KEYS};
pub use state::{Flow, State};
pub use step::step;
