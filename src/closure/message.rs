//! Everything the machine can tell the customer, with the data each text
//! needs; the engine renders it from the content text named by `key`.

use serde::{Deserialize, Serialize};

use super::button::Button;
use super::key::Nonce;
use crate::accounts::{Closure, Money, Phone};

/// One thing to tell the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "message", rename_all = "snake_case")]
pub enum Message {
    /// Ask whether to turn borrowing off or cancel the account.
    ChooseAction {
        /// The flow's nonce.
        nonce: Nonce,
    },
    /// Ask the customer to share their own phone number.
    AskIdentity {
        /// The action asked for.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
    },
    /// The shared contact is not the customer's own; nothing was linked.
    ContactRefused,
    /// A contact arrived when none was asked for; nothing was linked.
    ContactNotNeeded,
    /// No account has this phone.
    UnknownPhone {
        /// The phone shared.
        phone: Phone,
    },
    /// The account ending in `last4` is linked to this chat.
    Verified {
        /// Last four digits of the phone.
        last4: String,
    },
    /// A loan is outstanding: it must be repaid first. A human is offered next.
    Blocked {
        /// The amount owed.
        outstanding: Money,
        /// True when a repayment is past due.
        overdue: bool,
    },
    /// Borrowing is already off; nothing was done.
    AlreadyOff,
    /// The account is already cancelled; nothing was done.
    AlreadyCancelled,
    /// The precautions of the action, with Continue and Abort buttons.
    Precautions {
        /// The action.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
    },
    /// Ask to confirm the action on the account ending in `last4`.
    Confirm {
        /// The action.
        action: Closure,
        /// Last four digits of the phone.
        last4: String,
        /// The flow's nonce.
        nonce: Nonce,
        /// Minutes the customer has to confirm.
        minutes: u32,
    },
    /// Cancel only: ask to confirm again, because it cannot be undone.
    ConfirmAgain {
        /// Last four digits of the phone.
        last4: String,
        /// The flow's nonce.
        nonce: Nonce,
        /// Minutes the customer has to confirm.
        minutes: u32,
    },
    /// The action was carried out.
    Done {
        /// The action.
        action: Closure,
        /// Last four digits of the phone.
        last4: String,
    },
    /// The account system failed, or did not say whether it acted. A human
    /// is offered next.
    Failed,
    /// The flow was stopped; nothing was changed.
    Aborted,
    /// `/stop` with no flow running.
    NothingToStop,
    /// The confirmation was not given in time; nothing was changed.
    Expired {
        /// The timeout in minutes.
        minutes: u32,
    },
    /// Where the flow stands (after a question, or a repeated request); the
    /// step's prompt follows when it has one.
    Reminder {
        /// The action, once chosen.
        action: Option<Closure>,
    },
    /// The action is being carried out and can no longer be stopped.
    InProgress {
        /// The action.
        action: Closure,
    },
    /// The button pressed belongs to no waiting step; nothing was changed.
    ButtonExpired,
}

/// Every content key the machine's messages and buttons use, for the
/// content checker.
pub const TEXT_KEYS: &[&str] = &[
    "closure.choose",
    "closure.ask_identity",
    "closure.contact_refused",
    "closure.contact_not_needed",
    "closure.unknown_phone",
    "closure.verified",
    "closure.blocked",
    "closure.blocked_overdue",
    "closure.already_off",
    "closure.already_cancelled",
    "closure.precautions.turn_off",
    "closure.precautions.cancel",
    "closure.confirm.turn_off",
    "closure.confirm.cancel",
    "closure.confirm_again",
    "closure.done.turn_off",
    "closure.done.cancel",
    "closure.failed",
    "closure.aborted",
    "closure.nothing_to_stop",
    "closure.expired",
    "closure.reminder.choose",
    "closure.reminder.turn_off",
    "closure.reminder.cancel",
    "closure.in_progress",
    "closure.button_expired",
    "closure.button.turn_off",
    "closure.button.cancel",
    "closure.button.continue",
    "closure.button.confirm",
    "closure.button.confirm_final",
    "closure.button.abort",
    "closure.button.share_contact",
];

/// The content key of the share-contact keyboard button.
pub const SHARE_CONTACT_KEY: &str = "closure.button.share_contact";

impl Message {
    /// The content key of the text.
    pub fn key(&self) -> &'static str {
        use Closure::{Cancel, TurnOff};
        match self {
            Message::ChooseAction { .. } => "closure.choose",
            Message::AskIdentity { .. } => "closure.ask_identity",
            Message::ContactRefused => "closure.contact_refused",
            Message::ContactNotNeeded => "closure.contact_not_needed",
            Message::UnknownPhone { .. } => "closure.unknown_phone",
            Message::Verified { .. } => "closure.verified",
            Message::Blocked { overdue: false, .. } => "closure.blocked",
            Message::Blocked { overdue: true, .. } => "closure.blocked_overdue",
            Message::AlreadyOff => "closure.already_off",
            Message::AlreadyCancelled => "closure.already_cancelled",
            Message::Precautions {
                action: TurnOff, ..
            } => "closure.precautions.turn_off",
            Message::Precautions { action: Cancel, .. } => "closure.precautions.cancel",
            Message::Confirm {
                action: TurnOff, ..
            } => "closure.confirm.turn_off",
            Message::Confirm { action: Cancel, .. } => "closure.confirm.cancel",
            Message::ConfirmAgain { .. } => "closure.confirm_again",
            Message::Done {
                action: TurnOff, ..
            } => "closure.done.turn_off",
            Message::Done { action: Cancel, .. } => "closure.done.cancel",
            Message::Failed => "closure.failed",
            Message::Aborted => "closure.aborted",
            Message::NothingToStop => "closure.nothing_to_stop",
            Message::Expired { .. } => "closure.expired",
            Message::Reminder { action: None } => "closure.reminder.choose",
            Message::Reminder {
                action: Some(TurnOff),
            } => "closure.reminder.turn_off",
            Message::Reminder {
                action: Some(Cancel),
            } => "closure.reminder.cancel",
            Message::InProgress { .. } => "closure.in_progress",
            Message::ButtonExpired => "closure.button_expired",
        }
    }

    /// The `{name}` placeholders of the text and their values.
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        match self {
            Message::UnknownPhone { phone } => vec![("phone", phone.masked())],
            Message::Verified { last4 } | Message::Done { last4, .. } => {
                vec![("last4", last4.clone())]
            }
            Message::Blocked { outstanding, .. } => vec![("amount", outstanding.to_string())],
            Message::Confirm { last4, minutes, .. }
            | Message::ConfirmAgain { last4, minutes, .. } => {
                vec![("last4", last4.clone()), ("minutes", minutes.to_string())]
            }
            Message::Expired { minutes } => vec![("minutes", minutes.to_string())],
            _ => Vec::new(),
        }
    }

    /// The inline buttons shown under the text.
    pub fn buttons(&self) -> Vec<Button> {
        match *self {
            Message::ChooseAction { nonce } => vec![
                Button::Choose {
                    action: Closure::TurnOff,
                    nonce,
                },
                Button::Choose {
                    action: Closure::Cancel,
                    nonce,
                },
                Button::Abort { nonce },
            ],
            Message::AskIdentity { nonce, .. } => vec![Button::Abort { nonce }],
            Message::Precautions { nonce, .. } => {
                vec![Button::Continue { nonce }, Button::Abort { nonce }]
            }
            Message::Confirm { nonce, .. } => {
                vec![Button::Confirm { nonce }, Button::Abort { nonce }]
            }
            Message::ConfirmAgain { nonce, .. } => {
                vec![Button::ConfirmFinal { nonce }, Button::Abort { nonce }]
            }
            _ => Vec::new(),
        }
    }

    /// True when the front should also show a one-tap "share my phone
    /// number" keyboard (labelled by [`SHARE_CONTACT_KEY`]).
    pub fn asks_for_contact(&self) -> bool {
        matches!(self, Message::AskIdentity { .. })
    }
}
