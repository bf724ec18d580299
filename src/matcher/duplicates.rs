//! Finding phrasings of different targets that read (nearly) the same: the
//! ambiguity a customer would hit, reported by `check` as a warning.

use std::collections::BTreeSet;

use serde::Serialize;

use super::normalize::normalize;
use super::outcome::Target;
use super::tokenize::Tokenizer;
use crate::content::Content;
use crate::lang::Lang;

/// Phrasings this similar or more are reported.
pub const NEAR_DUPLICATE_SIMILARITY: f32 = 0.9;

/// Two phrasings of different targets that are nearly identical.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearDuplicate {
    /// The language of both phrasings.
    pub lang: Lang,
    /// The first target.
    pub a: Target,
    /// Its phrasing, as written.
    pub a_phrasing: String,
    /// The second target.
    pub b: Target,
    /// Its phrasing, as written.
    pub b_phrasing: String,
    /// 1.0 when the matcher cannot tell them apart (same tokens after
    /// stemming, synonyms and stopwords), otherwise the normalised
    /// Damerau-Levenshtein similarity of their normalised texts.
    pub similarity: f32,
}

/// One phrasing prepared for comparison.
struct Entry<'a> {
    target: Target,
    text: &'a str,
    normalized: String,
    chars: usize,
    tokens: BTreeSet<String>,
}

/// Every pair of phrasings (questions, alternates, intent examples; not
/// keywords, which are meant to be short and shared) of different targets
/// whose similarity reaches [`NEAR_DUPLICATE_SIMILARITY`], per language, in
/// content order.
pub fn near_duplicates(content: &Content) -> Vec<NearDuplicate> {
    let mut out = Vec::new();
    for lang in Lang::ALL {
        let tokenizer = Tokenizer::new(
            content.matcher.synonyms.get(lang),
            content.matcher.stopwords.get(lang),
        );
        let entries = entries(content, lang, &tokenizer);
        for (i, a) in entries.iter().enumerate() {
            for b in &entries[i + 1..] {
                if a.target == b.target {
                    continue;
                }
                if let Some(similarity) = similarity(a, b) {
                    out.push(NearDuplicate {
                        lang,
                        a: a.target.clone(),
                        a_phrasing: a.text.to_string(),
                        b: b.target.clone(),
                        b_phrasing: b.text.to_string(),
                        similarity,
                    });
                }
            }
        }
    }
    out
}

fn entries<'a>(content: &'a Content, lang: Lang, tokenizer: &Tokenizer) -> Vec<Entry<'a>> {
    let mut phrasings: Vec<(Target, &str)> = Vec::new();
    for faq in &content.faqs {
        let text = faq.text.get(lang);
        let target = Target::Faq(faq.id.clone());
        phrasings.push((target.clone(), &text.question));
        phrasings.extend(text.alternates.iter().map(|a| (target.clone(), a.as_str())));
    }
    for intent in &content.intents {
        let target = Target::Action(intent.id);
        phrasings.extend(
            intent
                .examples
                .get(lang)
                .iter()
                .map(|e| (target.clone(), e.as_str())),
        );
    }
    phrasings
        .into_iter()
        .map(|(target, text)| {
            let normalized = normalize(text);
            Entry {
                target,
                text,
                chars: normalized.chars().count(),
                tokens: tokenizer
                    .tokenize_normalized(&normalized)
                    .into_iter()
                    .map(|t| t.text)
                    .collect(),
                normalized,
            }
        })
        .collect()
}

/// The pair's similarity when it reaches the reporting threshold.
fn similarity(a: &Entry, b: &Entry) -> Option<f32> {
    if !a.tokens.is_empty() && a.tokens == b.tokens {
        return Some(1.0);
    }
    let longest = a.chars.max(b.chars);
    if longest == 0 {
        return None;
    }
    // The edit distance is at least the length difference: skip pairs that
    // cannot reach the threshold without computing it.
    let bound = 1.0 - a.chars.abs_diff(b.chars) as f32 / longest as f32;
    if bound < NEAR_DUPLICATE_SIMILARITY {
        return None;
    }
    let s = strsim::normalized_damerau_levenshtein(&a.normalized, &b.normalized) as f32;
    (s >= NEAR_DUPLICATE_SIMILARITY).then_some(s)
}
