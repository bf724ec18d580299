//! Content: the YAML files under `content/`, loaded and checked into [`Content`].
//!
//! `raw` mirrors the files; `load` checks them into the `model` types the
//! rest of the bot trusts, reporting every problem with its file, entry and
//! field; `keys` lists the texts the code needs.

mod error;
mod keys;
mod load;
mod model;
mod raw;

pub use error::{ContentError, Problem};
pub use keys::REQUIRED_TEXTS;
pub use load::{FILES, TELEGRAM_MAX_TEXT};
pub use model::{
    fill, ActionId, Content, Faq, FaqId, FaqText, Intent, MatcherSettings, PerLang, Thresholds,
    Topic, TopicText,
};
