//! Grouping the questions the bot could not answer, so an operator sees
//! which ones come back most and what the content has nearest to them.
//!
//! Questions are read oldest first; each joins the first group of its
//! language whose first question reads like it (their normalised texts are
//! at least [`SIMILARITY`] alike by Damerau-Levenshtein), or starts a new
//! group. The result depends only on the stored questions, never on
//! hashing or timing.

use serde::Serialize;
use time::OffsetDateTime;

use crate::content::Content;
use crate::lang::Lang;
use crate::matcher::{normalize, Matcher, Target};

/// Questions at least this alike (normalised Damerau-Levenshtein
/// similarity of their normalised texts) count as one.
pub const SIMILARITY: f64 = 0.8;

/// Most example texts a group shows.
pub const EXAMPLES: usize = 3;

/// A question the bot could not answer, as stored (masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    /// The language it was answered in.
    pub lang: Lang,
    /// What the customer wrote, masked.
    pub text: String,
    /// When.
    pub at: OffsetDateTime,
}

/// Near-duplicate unanswered questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// How many questions the group holds.
    pub count: usize,
    /// Their language.
    pub lang: Lang,
    /// Up to [`EXAMPLES`] different texts, the latest first.
    pub examples: Vec<String>,
    /// When the latest was asked.
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen: OffsetDateTime,
    /// The content's nearest entry to the group's first question, if any
    /// phrasing shares a word with it.
    pub nearest: Option<Nearest>,
}

/// The entry of the content nearest to a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearest {
    /// A FAQ id, or `action:<id>`.
    pub target: Target,
    /// The FAQ entry's question in the group's language (none for actions).
    pub question: Option<String>,
    /// The matcher's confidence, in `0.0..=1.0` (below its clarify
    /// threshold, or the question would have been answered).
    pub confidence: f32,
}

/// A group being built.
struct Building<'a> {
    lang: Lang,
    first: &'a str,
    normalized: String,
    members: Vec<&'a Unanswered>,
}

/// `questions` (oldest first) grouped by near-duplicates, most frequent
/// first; ties keep the order in which the groups first appeared.
pub fn group(questions: &[Unanswered], matcher: &Matcher, content: &Content) -> Vec<Group> {
    let mut groups: Vec<Building> = Vec::new();
    for q in questions {
        let normalized = normalize(&q.text);
        match groups
            .iter_mut()
            .find(|g| g.lang == q.lang && alike(&g.normalized, &normalized))
        {
            Some(g) => g.members.push(q),
            None => groups.push(Building {
                lang: q.lang,
                first: &q.text,
                normalized,
                members: vec![q],
            }),
        }
    }
    // A stable sort: equal counts stay in order of first appearance.
    groups.sort_by_key(|g| std::cmp::Reverse(g.members.len()));
    groups
        .into_iter()
        .map(|g| finish(g, matcher, content))
        .collect()
}

fn finish(g: Building, matcher: &Matcher, content: &Content) -> Group {
    let mut examples: Vec<String> = Vec::new();
    for q in g.members.iter().rev() {
        if examples.len() == EXAMPLES {
            break;
        }
        if !examples.contains(&q.text) {
            examples.push(q.text.clone());
        }
    }
    let nearest = matcher.explain(g.first, g.lang).best.map(|best| Nearest {
        question: match &best.target {
            Target::Faq(id) => content.faq(id).map(|f| f.text.get(g.lang).question.clone()),
            Target::Action(_) => None,
        },
        target: best.target,
        confidence: best.confidence,
    });
    Group {
        count: g.members.len(),
        lang: g.lang,
        examples,
        last_seen: g
            .members
            .iter()
            .map(|q| q.at)
            .max()
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        nearest,
    }
}

/// Whether two normalised texts read as the same question.
fn alike(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    // The edit distance is at least the length difference.
    let longest = la.max(lb) as f64;
    if 1.0 - la.abs_diff(lb) as f64 / longest < SIMILARITY {
        return false;
    }
    strsim::normalized_damerau_levenshtein(a, b) >= SIMILARITY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_rewordings_are_alike_and_other_questions_are_not() {
        assert!(alike("how do i cancel jiebei", "how can i cancel jiebei"));
        assert!(alike("借呗怎么注销", "借呗怎么注销啊"));
        assert!(!alike("how do i cancel jiebei", "what is my credit score"));
        assert!(!alike("借呗怎么注销", "额度为什么降了"));
        assert!(alike("", ""));
    }
}
