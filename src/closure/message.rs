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
    "choose_action",
    "identity_request",
    "identity_foreign",
    "contact_unexpected",
    "identity_unknown",
    "identity_ok",
    "blocked_outstanding",
    "blocked_overdue",
    "already_off",
    "already_cancelled",
    "precautions_turn_off",
    "precautions_cancel",
    "confirm_turn_off",
    "confirm_cancel",
    "confirm_cancel_again",
    "done_turn_off",
    "done_cancel",
    "execution_failed",
    "aborted",
    "nothing_to_stop",
    "expired",
    "reminder_choose",
    "reminder_turn_off",
    "reminder_cancel",
    "in_progress",
    "button_expired",
    "button_choose_turn_off",
    "button_choose_cancel",
    "button_continue",
    "button_confirm_turn_off",
    "button_confirm_cancel",
    "button_confirm_cancel_final",
    "button_abort",
    "button_share_contact",
];

/// The content key of the sentence added to a blocked message when a
/// repayment is overdue.
pub const BLOCKED_OVERDUE_KEY: &str = "blocked_overdue";

/// The content key of the share-contact keyboard button.
pub const SHARE_CONTACT_KEY: &str = "button_share_contact";

impl Message {
    /// The content key of the text.
    pub fn key(&self) -> &'static str {
        use Closure::{Cancel, TurnOff};
        match self {
            Message::ChooseAction { .. } => "choose_action",
            Message::AskIdentity { .. } => "identity_request",
            Message::ContactRefused => "identity_foreign",
            Message::ContactNotNeeded => "contact_unexpected",
            Message::UnknownPhone { .. } => "identity_unknown",
            Message::Verified { .. } => "identity_ok",
            // The overdue sentence is added after this text (`BLOCKED_OVERDUE_KEY`).
            Message::Blocked { .. } => "blocked_outstanding",
            Message::AlreadyOff => "already_off",
            Message::AlreadyCancelled => "already_cancelled",
            Message::Precautions {
                action: TurnOff, ..
            } => "precautions_turn_off",
            Message::Precautions { action: Cancel, .. } => "precautions_cancel",
            Message::Confirm {
                action: TurnOff, ..
            } => "confirm_turn_off",
            Message::Confirm { action: Cancel, .. } => "confirm_cancel",
            Message::ConfirmAgain { .. } => "confirm_cancel_again",
            Message::Done {
                action: TurnOff, ..
            } => "done_turn_off",
            Message::Done { action: Cancel, .. } => "done_cancel",
            Message::Failed => "execution_failed",
            Message::Aborted => "aborted",
            Message::NothingToStop => "nothing_to_stop",
            Message::Expired { .. } => "expired",
            Message::Reminder { action: None } => "reminder_choose",
            Message::Reminder {
                action: Some(TurnOff),
            } => "reminder_turn_off",
            Message::Reminder {
                action: Some(Cancel),
            } => "reminder_cancel",
            Message::InProgress { .. } => "in_progress",
            Message::ButtonExpired => "button_expired",
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

    /// The content key of `button`'s label under this message: the first
    /// confirmation names the action it confirms.
    pub fn button_label(&self, button: Button) -> &'static str {
        match (self, button) {
            (
                Message::Confirm {
                    action: Closure::Cancel,
                    ..
                },
                Button::Confirm { .. },
            ) => "button_confirm_cancel",
            _ => button.label_key(),
        }
    }

    /// True when the front should also show a one-tap "share my phone
    /// number" keyboard (labelled by [`SHARE_CONTACT_KEY`]).
    pub fn asks_for_contact(&self) -> bool {
        matches!(self, Message::AskIdentity { .. })
    }
}
