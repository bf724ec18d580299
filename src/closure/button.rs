//! The buttons the machine asks the fronts to show, each carrying its flow's
//! nonce, and the event a press becomes.

use serde::{Deserialize, Serialize};

use super::event::Event;
use super::key::Nonce;
use crate::accounts::Closure;

/// A button the machine asks the front to show, with the nonce it carries.
/// Pressing it becomes the [`Event`] given by `Event::from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "button", rename_all = "snake_case")]
pub enum Button {
    /// Choose an action.
    Choose {
        /// The action this button chooses.
        action: Closure,
        /// The flow's nonce.
        nonce: Nonce,
    },
    /// Go on after the precautions.
    Continue {
        /// The flow's nonce.
        nonce: Nonce,
    },
    /// The (first) confirmation.
    Confirm {
        /// The flow's nonce.
        nonce: Nonce,
    },
    /// Cancel's final confirmation.
    ConfirmFinal {
        /// The flow's nonce.
        nonce: Nonce,
    },
    /// Stop the flow.
    Abort {
        /// The flow's nonce.
        nonce: Nonce,
    },
}

impl Button {
    /// The content key of the button's label.
    pub fn label_key(self) -> &'static str {
        match self {
            Button::Choose {
                action: Closure::TurnOff,
                ..
            } => "button_choose_turn_off",
            Button::Choose {
                action: Closure::Cancel,
                ..
            } => "button_choose_cancel",
            Button::Continue { .. } => "button_continue",
            Button::Confirm { .. } => "button_confirm_turn_off",
            Button::ConfirmFinal { .. } => "button_confirm_cancel_final",
            Button::Abort { .. } => "button_abort",
        }
    }
}

impl From<Button> for Event {
    fn from(button: Button) -> Event {
        match button {
            Button::Choose { action, nonce } => Event::Choose { action, nonce },
            Button::Continue { nonce } => Event::Continue { nonce },
            Button::Confirm { nonce } => Event::Confirm { nonce },
            Button::ConfirmFinal { nonce } => Event::ConfirmFinal { nonce },
            Button::Abort { nonce } => Event::Abort { nonce: Some(nonce) },
        }
    }
}
