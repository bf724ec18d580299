//! What the machine asks the engine to do. Effects that need an answer name
//! the event the engine must feed back.

use serde::{Deserialize, Serialize};

use super::key::IdempotencyKey;
use super::message::Message;
use crate::accounts::{Closure, Phone};

/// One thing for the engine to do, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Tell the customer something (rendered from content, with its buttons).
    Say(Message),
    /// Find the account of `phone`; answer with `Event::AccountFound`,
    /// `Event::AccountNotFound` or `Event::ServiceFailed`.
    LookUp {
        /// The phone to look up.
        phone: Phone,
    },
    /// Read the account's status now; answer with `Event::Status` or
    /// `Event::ServiceFailed`.
    CheckStatus {
        /// The account's phone.
        phone: Phone,
    },
    /// Carry the action out under `key` (prefixed with the chat id), write it
    /// to the audit log, and answer with `Event::Executed` carrying the key.
    /// The same key may be asked for again after a restart: the account
    /// service must then answer `AlreadyDone` rather than act twice.
    Execute {
        /// The action.
        action: Closure,
        /// The account's phone.
        phone: Phone,
        /// The idempotency key.
        key: IdempotencyKey,
    },
    /// Offer the customer a human agent. Needs no answer.
    OfferAgent {
        /// Why.
        reason: AgentReason,
    },
}

/// Why a human agent is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentReason {
    /// A loan is outstanding, so nothing could be closed.
    Blocked,
    /// The shared phone has no account.
    UnknownPhone,
    /// The account system failed, or its outcome is unknown.
    Failed,
}

impl AgentReason {
    /// The reason as written on a ticket.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentReason::Blocked => "closure_blocked",
            AgentReason::UnknownPhone => "unknown_phone",
            AgentReason::Failed => "closure_failed",
        }
    }
}
