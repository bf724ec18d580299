//! The pure closure state machine: `step(state, event, now, config) ->
//! (state, effects)` walks one chat through turning borrowing off or
//! cancelling the account. It does no I/O, reads no clock and draws no
//! random numbers; the engine runs its effects and feeds results back.
//!
//! # The contract with the engine
//!
//! - Persist the returned [`State`] (JSON) before running its effects, then
//!   run the effects in order. At most one effect per step waits for an
//!   answer; feed the answer back through `step` at once:
//!   [`Effect::LookUp`] → `AccountFound` / `AccountNotFound` (same phone) or
//!   `ServiceFailed`; [`Effect::CheckStatus`] → `Status` (same phone) or
//!   `ServiceFailed`; [`Effect::Execute`] → `Executed` with the same key
//!   (`Done`, `AlreadyDone` when the account service has seen the key, or
//!   `Failed` for errors and timeouts). `Say` and `OfferAgent` need none.
//! - `Execute` carries the flow's [`IdempotencyKey`]; prefix the chat id,
//!   pass it to the account service and write it to the audit log. The
//!   machine may ask for the same key again after a restart; the service
//!   must then answer `AlreadyDone`, never act twice.
//! - A chat loaded in a step that waits for a result
//!   ([`Flow::awaits_result`]) was interrupted: send [`Event::Resume`]
//!   before anything else, so the pending effect is asked for again (an
//!   interrupted execution checks the balance first, then retries under
//!   the same key).
//! - Give every `Start` a fresh random [`Nonce`]; encode the [`Button`]s of
//!   each [`Message`] in callback data and turn a press back into an event
//!   with `Event::from(button)`. Undecodable callback data needs no event:
//!   say `Message::ButtonExpired`.
//! - Send [`Event::Tick`] now and then for chats with a
//!   [`Flow::deadline`], so an unanswered confirmation expires and says so.
//! - Render `Message::key()` from content with `Message::vars()`; every key
//!   is in [`TEXT_KEYS`].

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
