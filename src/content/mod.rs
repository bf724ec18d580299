//! Content: the YAML files under `content/`, loaded and checked into [`Content`].

mod model;

pub use model::{
    fill, ActionId, Content, Faq, FaqId, FaqText, Intent, MatcherSettings, PerLang, Thresholds,
    Topic, TopicText,
};
