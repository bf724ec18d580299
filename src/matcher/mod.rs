//! Message matching against the content: normalise, tokenise (jieba-rs for
//! Chinese), look up an inverted index, score, decide.
//!
//! - [`normalize()`]: one canonical spelling for every text.
//! - `stem`, `tokenize`: words, synonyms, stopwords, Chinese segmentation.
//! - `fuzzy`: spelling correction for words the content never uses.
//! - `index`: one inverted index per language over every phrasing.
//! - `score`: BM25 weights and the confidence formula.
//! - `classify`: the [`Matcher`] and its decision.
//! - `duplicates`: phrasings of different targets that read the same.

mod classify;
mod duplicates;
mod fuzzy;
mod index;
mod normalize;
mod outcome;
mod score;
mod stem;
mod tokenize;

pub use classify::Matcher;
pub use duplicates::{near_duplicates, NearDuplicate, NEAR_DUPLICATE_SIMILARITY};
pub use index::SmallTalk;
pub use normalize::{normalize, MAX_CHARS};
pub use outcome::{Explanation, Match, Scored, Target};

#[cfg(test)]
mod tests;
