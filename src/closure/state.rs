//! What the machine remembers about one chat between updates, persisted as
//! JSON: the chat's verified identity and the step the current flow is at.

use serde::{Deserialize, Serialize};

use super::key::{IdempotencyKey, Nonce};
use crate::accounts::{Closure, Phone};

/// One chat's closure state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct State {
    /// The phone the chat proved it owns (its own contact, found in the
    /// account system). Kept across flows once established.
    pub verified: Option<Phone>,
    /// Where the current flow stands.
    pub flow: Flow,
}

/// The step of the current flow. Each step carries exactly what the next
/// transition needs. Steps named `…ing` wait for the result of an effect the
/// engine runs; the others wait for the customer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Flow {
    /// No flow: done, blocked, aborted and expired flows all end here.
    #[default]
    Idle,
    /// Asked whether to turn borrowing off or cancel the account.
    Choosing {
        /// The flow's nonce.
        nonce: Nonce,
    },
    /// Asked the customer to share their own contact.
    AwaitingIdentity {
        /// The action asked for.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
    },
    /// Looking the shared phone up in the account system.
    LookingUp {
        /// The action asked for.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
        /// The phone being looked up.
        phone: Phone,
    },
    /// Checking the account's status before showing the precautions.
    CheckingStatus {
        /// The action asked for.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
        /// The verified phone.
        phone: Phone,
    },
    /// Showed the precautions; waiting for "continue".
    Precautions {
        /// The action asked for.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
        /// The verified phone.
        phone: Phone,
    },
    /// Asked for the (first) confirmation.
    AwaitingConfirm {
        /// The action asked for.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
        /// The verified phone.
        phone: Phone,
        /// Unix second from which the confirmation is no longer accepted.
        deadline: i64,
    },
    /// Cancel only: asked the customer to confirm a second time, because
    /// cancelling cannot be undone.
    AwaitingFinalConfirm {
        /// The flow's nonce.
        nonce: Nonce,
        /// The verified phone.
        phone: Phone,
        /// Unix second from which the confirmation is no longer accepted.
        deadline: i64,
    },
    /// Confirmed; checking the balance again right before acting.
    Rechecking {
        /// The action confirmed.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
        /// The verified phone.
        phone: Phone,
    },
    /// Asked the account system to act under `key`; waiting for the result.
    Executing {
        /// The action being carried out.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
        /// The verified phone.
        phone: Phone,
        /// The key the action is requested under.
        key: IdempotencyKey,
    },
    /// The result of executing never arrived (the bot restarted): checking
    /// the balance again before asking for the same action under the same key.
    Resuming {
        /// The action being carried out.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
        /// The verified phone.
        phone: Phone,
        /// The key the action was requested under.
        key: IdempotencyKey,
    },
}

impl Flow {
    /// The flow's nonce; `None` when idle.
    pub fn nonce(&self) -> Option<Nonce> {
        match self {
            Flow::Idle => None,
            Flow::Choosing { nonce }
            | Flow::AwaitingIdentity { nonce, .. }
            | Flow::LookingUp { nonce, .. }
            | Flow::CheckingStatus { nonce, .. }
            | Flow::Precautions { nonce, .. }
            | Flow::AwaitingConfirm { nonce, .. }
            | Flow::AwaitingFinalConfirm { nonce, .. }
            | Flow::Rechecking { nonce, .. }
            | Flow::Executing { nonce, .. }
            | Flow::Resuming { nonce, .. } => Some(*nonce),
        }
    }

    /// The action the flow is about; `None` when idle or still choosing.
    pub fn action(&self) -> Option<Closure> {
        match self {
            Flow::Idle | Flow::Choosing { .. } => None,
            Flow::AwaitingFinalConfirm { .. } => Some(Closure::Cancel),
            Flow::AwaitingIdentity { action, .. }
            | Flow::LookingUp { action, .. }
            | Flow::CheckingStatus { action, .. }
            | Flow::Precautions { action, .. }
            | Flow::AwaitingConfirm { action, .. }
            | Flow::Rechecking { action, .. }
            | Flow::Executing { action, .. }
            | Flow::Resuming { action, .. } => Some(*action),
        }
    }

    /// The unix second at which a pending confirmation expires.
    pub fn deadline(&self) -> Option<i64> {
        match self {
            Flow::AwaitingConfirm { deadline, .. }
            | Flow::AwaitingFinalConfirm { deadline, .. } => Some(*deadline),
            _ => None,
        }
    }

    /// True while the flow waits for the result of an effect (look-up,
    /// status check, execution) rather than for the customer. A chat loaded
    /// in such a step was interrupted: the engine feeds it `Event::Resume`.
    pub fn awaits_result(&self) -> bool {
        matches!(
            self,
            Flow::LookingUp { .. }
                | Flow::CheckingStatus { .. }
                | Flow::Rechecking { .. }
                | Flow::Executing { .. }
                | Flow::Resuming { .. }
        )
    }

    /// True once the action may have been requested from the account system:
    /// from then on the flow can no longer be stopped or replaced.
    pub fn is_committed(&self) -> bool {
        matches!(self, Flow::Executing { .. } | Flow::Resuming { .. })
    }
}
