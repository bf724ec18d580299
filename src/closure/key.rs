//! What identifies one flow: the caller-supplied nonce its buttons carry, and
//! the idempotency key its one execution is recorded under.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::accounts::Closure;

/// A flow's nonce, chosen at random by the caller when the flow starts (the
/// machine has no randomness). Every button of the flow carries it, so a
/// button from another flow, a replay or a forgery can be told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Nonce(pub u32);

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The key one flow's action is executed and audited under: `{nonce}-{action}`,
/// such as `3141592-turn_off`. It is fixed before the action is first
/// requested, so a retry after a restart asks for the same action again and
/// the account service can refuse to act twice. The engine prefixes the chat
/// id to make it unique across chats.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The key of the flow with this nonce acting with `action`.
    pub fn new(nonce: Nonce, action: Closure) -> IdempotencyKey {
        IdempotencyKey(format!("{nonce}-{}", action.as_str()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
