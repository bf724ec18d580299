//! What goes into the engine and what comes out: fronts build [`Incoming`]
//! from their updates and render [`Reply`] values.

use crate::callback::CallbackData;

/// A chat's id as the front knows it (Telegram's chat id; 0 in the terminal).
pub type ChatId = i64;

/// One thing the customer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A text message (commands included: they start with `/`).
    Text(String),
    /// A button press, with the button's raw callback data.
    Button(String),
    /// A shared contact: the phone number and the Telegram user it belongs to.
    Contact {
        /// The phone number as Telegram sent it.
        phone: String,
        /// The Telegram user the contact card belongs to, if any.
        user_id: Option<i64>,
    },
    /// Something the bot cannot read (sticker, photo, voice ...).
    Unsupported,
}

/// An input with who sent it and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The chat.
    pub chat: ChatId,
    /// The sender's user id (to check that a shared contact is their own).
    pub user: Option<i64>,
    /// The sender's Telegram `language_code`, as sent.
    pub language_code: Option<String>,
    /// What they did.
    pub input: Input,
}

impl Incoming {
    /// A text message from `user` in a private chat with the same id.
    pub fn text(chat: ChatId, text: impl Into<String>) -> Incoming {
        Incoming {
            chat,
            user: Some(chat),
            language_code: None,
            input: Input::Text(text.into()),
        }
    }

    /// A button press in a private chat.
    pub fn button(chat: ChatId, data: impl Into<String>) -> Incoming {
        Incoming {
            chat,
            user: Some(chat),
            language_code: None,
            input: Input::Button(data.into()),
        }
    }
}

/// A button under a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// What the customer sees.
    pub label: String,
    /// What pressing it sends back.
    pub data: CallbackData,
}

/// The keyboard under the input field (Telegram's reply keyboard).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Keyboard {
    /// Leave it as it is.
    #[default]
    Keep,
    /// Show a one-time "share my phone number" button with this label.
    RequestContact(String),
    /// Remove a keyboard shown earlier.
    Remove,
}

/// One message to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// Plain text (fronts escape it as they need).
    pub text: String,
    /// Inline buttons, one row per inner vector.
    pub buttons: Vec<Vec<Button>>,
    /// Reply-keyboard change.
    pub keyboard: Keyboard,
}

impl Reply {
    /// A text-only reply.
    pub fn text(text: impl Into<String>) -> Reply {
        Reply {
            text: text.into(),
            ..Reply::default()
        }
    }

    /// Adds a row with one button.
    pub fn with_button(mut self, label: impl Into<String>, data: CallbackData) -> Reply {
        self.buttons.push(vec![Button {
            label: label.into(),
            data,
        }]);
        self
    }

    /// Every button, row by row.
    pub fn all_buttons(&self) -> impl Iterator<Item = &Button> {
        self.buttons.iter().flatten()
    }
}
