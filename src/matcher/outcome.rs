//! What the matcher returns: the target a message points at, the decision,
//! and the explanation behind it.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::content::{ActionId, FaqId};
use crate::lang::Lang;

/// Something a message can point at: a FAQ entry or an action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A FAQ entry.
    Faq(FaqId),
    /// An action intent.
    Action(ActionId),
}

impl fmt::Display for Target {
    /// A FAQ id as is, an action as `action:<id>` (the dev set's spelling).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Faq(id) => write!(f, "{id}"),
            Target::Action(id) => write!(f, "action:{id}"),
        }
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The matcher's decision about one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Match {
    /// Answer this FAQ entry.
    Answer {
        /// The entry.
        id: FaqId,
        /// How sure the matcher is, in `0.0..=1.0`.
        confidence: f32,
    },
    /// The customer asks for this action.
    Action {
        /// The action.
        id: ActionId,
        /// How sure the matcher is, in `0.0..=1.0`.
        confidence: f32,
    },
    /// Too close to call: offer these (best first) and "none of these".
    Clarify {
        /// One to three targets, best first.
        candidates: Vec<Target>,
    },
    /// Nothing in the content fits.
    Fallback,
}

/// One candidate target with the phrasing that matched it best.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    /// The candidate.
    pub target: Target,
    /// Its phrasing (question, alternate, example or keyword) that matched
    /// best, as written in content.
    pub phrasing: String,
    /// The BM25 score of that phrasing against the message.
    pub score: f32,
    /// The confidence the decision is made on, in `0.0..=1.0`.
    pub confidence: f32,
}

/// Why the matcher decided what it did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The language whose content was searched.
    pub lang: Lang,
    /// The message's tokens after normalising, stemming, synonyms and
    /// spelling correction.
    pub tokens: Vec<String>,
    /// How the message is worded: `question`, `request` or `neutral`.
    pub form: &'static str,
    /// Which product the message is about: `ours`, `elsewhere` (another
    /// product only) or `mixed`.
    pub scope: &'static str,
    /// The best candidate, if any phrasing shared a token with the message.
    pub best: Option<Scored>,
    /// The best candidate pointing at a different target.
    pub runner_up: Option<Scored>,
    /// The decision.
    pub outcome: Match,
}
