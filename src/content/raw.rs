//! The YAML files exactly as written: every field optional where a missing
//! one must be reported by name rather than by serde's generic message.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `faq.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaqFile {
    pub entries: Vec<RawFaq>,
}

/// One FAQ entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaq {
    pub id: String,
    #[serde(default)]
    pub related: Vec<String>,
    pub start: Option<String>,
    pub en: Option<RawFaqText>,
    pub zh: Option<RawFaqText>,
}

/// One language of a FAQ entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaqText {
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub alternates: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub answer: String,
}

/// `intents.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntentFile {
    pub intents: Vec<RawIntent>,
}

/// One action intent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntent {
    pub id: String,
    pub en: Option<RawIntentText>,
    pub zh: Option<RawIntentText>,
}

/// One language of an intent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntentText {
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// `topics.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopicFile {
    pub window_days: Option<i64>,
    pub topics: Vec<RawTopic>,
}

/// One hot topic.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub id: String,
    pub date: Option<String>,
    pub related: Option<String>,
    pub en: Option<RawTopicText>,
    pub zh: Option<RawTopicText>,
}

/// One language of a topic.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopicText {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
}

/// `matcher.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMatcherFile {
    pub thresholds: RawPerLang<RawThresholds>,
    #[serde(default)]
    pub synonyms: RawPerLang<Vec<Vec<String>>>,
    #[serde(default)]
    pub stopwords: RawPerLang<Vec<String>>,
    #[serde(default)]
    pub question_openers: RawPerLang<Vec<String>>,
    #[serde(default)]
    pub request_openers: RawPerLang<Vec<String>>,
    #[serde(default)]
    pub product: RawPerLang<Vec<String>>,
    #[serde(default)]
    pub other_products: RawPerLang<Vec<String>>,
    #[serde(default)]
    pub greetings: RawPerLang<Vec<String>>,
    #[serde(default)]
    pub thanks: RawPerLang<Vec<String>>,
}

/// Thresholds of one language.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThresholds {
    pub answer: f32,
    pub clarify: f32,
    pub margin: f32,
}

/// `ui.yaml` and `closure.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTextFile {
    pub texts: BTreeMap<String, RawPerLang<String>>,
}

/// A value per language, either of which may be missing in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPerLang<T> {
    pub en: Option<T>,
    pub zh: Option<T>,
}

impl<T> Default for RawPerLang<T> {
    fn default() -> Self {
        RawPerLang { en: None, zh: None }
    }
}
