//! The checked content the rest of the bot may trust: every entry has both
//! languages, every id is well formed and unique, every text key exists.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use time::Date;

use crate::lang::Lang;

/// A value per supported language.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PerLang<T> {
    /// English.
    pub en: T,
    /// Chinese.
    pub zh: T,
}

impl<T> PerLang<T> {
    /// The value for `lang`.
    pub fn get(&self, lang: Lang) -> &T {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// The stable id of a FAQ entry, such as `zhima-credit-impact`: lowercase
/// ASCII letters, digits and single dashes, at most 40 bytes (it travels in
/// Telegram callback data).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FaqId(String);

impl FaqId {
    /// Longest id accepted.
    pub const MAX_LEN: usize = 40;

    /// Parses an id, saying what is wrong with it when it is not one.
    pub fn parse(s: &str) -> Result<FaqId, String> {
        if s.is_empty() {
            return Err("is empty".into());
        }
        if s.len() > Self::MAX_LEN {
            return Err(format!("is longer than {} bytes", Self::MAX_LEN));
        }
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok_chars || s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(format!(
                "`{s}` must be lowercase letters, digits and single dashes"
            ));
        }
        Ok(FaqId(s.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FaqId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An action the customer can ask the bot to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionId {
    /// Turn off borrowing (the account stays, no new loans).
    TurnOff,
    /// Cancel (deregister) the account: irreversible.
    Cancel,
    /// Talk to a human agent.
    Agent,
    /// Stop the flow in progress ("never mind", "算了").
    Stop,
}

impl ActionId {
    /// Every action, in a stable order.
    pub const ALL: [ActionId; 4] = [
        ActionId::TurnOff,
        ActionId::Cancel,
        ActionId::Agent,
        ActionId::Stop,
    ];

    /// The id as written in content files and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionId::TurnOff => "turn-off",
            ActionId::Cancel => "cancel",
            ActionId::Agent => "agent",
            ActionId::Stop => "stop",
        }
    }

    /// Parses `turn-off`, `cancel` or `agent`.
    pub fn parse(s: &str) -> Option<ActionId> {
        ActionId::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One language's side of a FAQ entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaqText {
    /// The canonical question, also the label of buttons leading here.
    pub question: String,
    /// Other ways customers ask the same thing.
    pub alternates: Vec<String>,
    /// Words that point at this entry on their own.
    pub keywords: Vec<String>,
    /// The answer shown to the customer.
    pub answer: String,
}

/// A question the bot can answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Faq {
    /// Stable id.
    pub id: FaqId,
    /// Follow-up entries offered as buttons after the answer.
    pub related: Vec<FaqId>,
    /// An action offered as a "start now" button after the answer.
    pub start: Option<ActionId>,
    /// The texts, per language.
    pub text: PerLang<FaqText>,
}

/// An action intent: phrasings that ask the bot to do something.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intent {
    /// Which action.
    pub id: ActionId,
    /// Example phrasings per language.
    pub examples: PerLang<Vec<String>>,
    /// Words that point at this action on their own.
    pub keywords: PerLang<Vec<String>>,
}

/// One language's side of a hot topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicText {
    /// Short headline.
    pub title: String,
    /// One or two sentences.
    pub body: String,
}

/// A dated hot topic from the source article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Topic {
    /// Stable id.
    pub id: String,
    /// The day the topic was current.
    pub date: Date,
    /// A FAQ entry that answers the worry behind the topic.
    pub related: Option<FaqId>,
    /// The texts, per language.
    pub text: PerLang<TopicText>,
}

/// The matcher's decision thresholds for one language, all in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// At or above this confidence (and clear of the runner-up by `margin`)
    /// the best candidate is answered.
    pub answer: f32,
    /// At or above this (but not an answer) the top candidates are offered.
    pub clarify: f32,
    /// The lead the best candidate needs over a different runner-up.
    pub margin: f32,
}

/// Settings the matcher reads from content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatcherSettings {
    /// Thresholds per language.
    pub thresholds: PerLang<Thresholds>,
    /// Groups of words or phrases that mean the same, per language; the
    /// first of each group is its canonical form.
    pub synonyms: PerLang<Vec<Vec<String>>>,
    /// Words that carry no meaning for matching, per language.
    pub stopwords: PerLang<Vec<String>>,
    /// Words that make a question of the clause they open ("does", "is",
    /// "where"), stopwords or not, per language.
    pub question_openers: PerLang<Vec<String>>,
    /// Words that make a request of the clause they open ("please",
    /// "close", "帮我"), per language.
    pub request_openers: PerLang<Vec<String>>,
    /// The names of the product itself ("jiebei", "借呗").
    pub product: PerLang<Vec<String>>,
    /// Other products and institutions ("huabei", "credit card", "工商银行"):
    /// a message naming one and not the product is not answered from the
    /// product's content.
    pub other_products: PerLang<Vec<String>>,
    /// Greetings ("hi", "你好"): a message of nothing else is greeted back.
    pub greetings: PerLang<Vec<String>>,
    /// Thanks ("thank you", "谢谢"): a message of nothing else is answered
    /// with a "you're welcome".
    pub thanks: PerLang<Vec<String>>,
}

/// Every piece of content, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Content {
    /// FAQ entries, in file order.
    pub faqs: Vec<Faq>,
    /// Action intents.
    pub intents: Vec<Intent>,
    /// Hot topics, newest first.
    pub topics: Vec<Topic>,
    /// How many days back `/topics` looks by default.
    pub topic_window_days: u32,
    /// Matcher settings.
    pub matcher: MatcherSettings,
    /// UI and closure texts by key.
    pub texts: BTreeMap<String, PerLang<String>>,
}

impl Content {
    /// The FAQ entry with this id.
    pub fn faq(&self, id: &FaqId) -> Option<&Faq> {
        self.faqs.iter().find(|f| &f.id == id)
    }

    /// The FAQ entry whose id reads `id`.
    pub fn faq_by_str(&self, id: &str) -> Option<&Faq> {
        self.faqs.iter().find(|f| f.id.as_str() == id)
    }

    /// The text for `key` in `lang`. Keys the code uses are checked at load
    /// time (see `content::REQUIRED_TEXTS`), so a missing key is a bug; it
    /// shows as the key itself rather than a panic.
    pub fn text<'a>(&'a self, key: &'a str, lang: Lang) -> &'a str {
        self.texts
            .get(key)
            .map(|t| t.get(lang).as_str())
            .unwrap_or(key)
    }

    /// The text for `key` with each `{name}` replaced by its value.
    pub fn text_with(&self, key: &str, lang: Lang, vars: &[(&str, &str)]) -> String {
        fill(self.text(key, lang), vars)
    }

    /// Topics dated within `days` days up to and including `today`.
    pub fn recent_topics(&self, today: Date, days: u32) -> Vec<&Topic> {
        let oldest = today - time::Duration::days(i64::from(days));
        self.topics
            .iter()
            .filter(|t| t.date > oldest && t.date <= today)
            .collect()
    }
}

/// Replaces each `{name}` in `template` with its value from `vars`.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}
