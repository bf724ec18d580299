//! What can happen to a chat's closure flow: the customer's requests and
//! button presses, the results of effects the engine ran, and time passing.

use serde::{Deserialize, Serialize};

use super::key::{IdempotencyKey, Nonce};
use crate::accounts::{AccountStatus, Closure, Phone};

/// One input to [`step`](super::step).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The customer asked to turn borrowing off or cancel (the matcher's
    /// action intent, `/close`, `/cancel`, a "start now" button); `None`
    /// when it is unclear which, so the machine asks. `nonce` is fresh.
    Start {
        /// The action asked for, if known.
        action: Option<Closure>,
        /// A fresh random nonce for the flow this may start.
        nonce: Nonce,
    },
    /// Button: the customer chose an action.
    Choose {
        /// The action chosen.
        action: Closure,
        /// The nonce the button carried.
        nonce: Nonce,
    },
    /// The customer shared a contact. `own` is true only when the contact's
    /// user is the sender (Telegram `user_id`, or `/contact` in the terminal).
    Contact {
        /// The contact's phone.
        phone: Phone,
        /// True when the contact is the sender's own.
        own: bool,
    },
    /// Result of `Effect::LookUp`: an account exists for the phone.
    AccountFound {
        /// The phone looked up.
        phone: Phone,
    },
    /// Result of `Effect::LookUp`: no account for the phone.
    AccountNotFound {
        /// The phone looked up.
        phone: Phone,
    },
    /// Result of `Effect::CheckStatus`.
    Status {
        /// The phone whose account was checked.
        phone: Phone,
        /// What the account system says now.
        status: AccountStatus,
    },
    /// Result of `Effect::LookUp` or `Effect::CheckStatus`: the account
    /// system could not answer.
    ServiceFailed,
    /// Button: the customer read the precautions and wants to go on.
    Continue {
        /// The nonce the button carried.
        nonce: Nonce,
    },
    /// Button: the (first) confirmation.
    Confirm {
        /// The nonce the button carried.
        nonce: Nonce,
    },
    /// Button: cancel's second, final confirmation.
    ConfirmFinal {
        /// The nonce the button carried.
        nonce: Nonce,
    },
    /// The customer wants to stop: the abort button (with its nonce), or
    /// `/stop` or saying so (no nonce).
    Abort {
        /// The nonce of the abort button, if it was one.
        nonce: Option<Nonce>,
    },
    /// Result of `Effect::Execute`.
    Executed {
        /// The key the action was requested under.
        key: IdempotencyKey,
        /// What the account system did.
        result: ExecResult,
    },
    /// Time passed; lets a pending confirmation expire without an update.
    Tick,
    /// The customer asked a question mid-flow; the engine answers it, the
    /// machine reminds where the flow stands.
    Question,
    /// The engine loaded a chat whose flow waits for an effect's result
    /// (`Flow::awaits_result`): the bot stopped before the result arrived.
    /// The machine asks for the pending effect again.
    Resume,
}

impl Event {
    /// The nonce of a button press; `None` for anything that is not one.
    pub fn button_nonce(&self) -> Option<Nonce> {
        match self {
            Event::Choose { nonce, .. }
            | Event::Continue { nonce }
            | Event::Confirm { nonce }
            | Event::ConfirmFinal { nonce } => Some(*nonce),
            Event::Abort { nonce } => *nonce,
            _ => None,
        }
    }
}

/// What the account system did with an `Effect::Execute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecResult {
    /// The action was carried out now.
    Done,
    /// The action had already been carried out under this key.
    AlreadyDone,
    /// It failed or its outcome is unknown (error, timeout).
    Failed,
}
