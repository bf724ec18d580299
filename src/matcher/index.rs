//! The inverted index of one language: every phrasing of every target
//! (FAQ questions, alternates and keywords; intent examples and keywords),
//! tokenised, with each token's posting list and inverse document frequency.

use std::collections::HashMap;

use super::fuzzy::Fuzzy;
use super::outcome::Target;
use super::tokenize::{Kind, Tokenizer};
use crate::content::{Content, Thresholds};
use crate::lang::Lang;

/// One indexed phrasing.
#[derive(Debug)]
pub struct Phrasing {
    /// Index into [`LangIndex::targets`].
    pub target: u32,
    /// As written in content.
    pub text: String,
    /// Its distinct tokens.
    pub tokens: Vec<u32>,
    /// The sum of its tokens' weights: its score against itself.
    pub self_weight: f32,
    /// BM25's length factor `(k1 + 1) / (1 + k1 (1 - b + b len / avglen))`;
    /// a phrasing's BM25 score is its matched weight times this (every
    /// token occurs once per phrasing).
    pub bm25_norm: f32,
}

/// BM25's term-saturation parameter.
const K1: f32 = 1.2;
/// BM25's length-normalisation parameter.
const B: f32 = 0.75;

/// Everything needed to match messages in one language.
#[derive(Debug)]
pub struct LangIndex {
    /// The language's tokeniser.
    pub tokenizer: Tokenizer,
    /// Decision thresholds.
    pub thresholds: Thresholds,
    /// Targets, FAQ entries first, then actions.
    pub targets: Vec<Target>,
    /// All phrasings.
    pub phrasings: Vec<Phrasing>,
    /// Token text → token id.
    pub vocab: HashMap<String, u32>,
    /// Token id → its text.
    pub words: Vec<String>,
    /// Token id → weight (inverse document frequency over targets).
    pub idf: Vec<f32>,
    /// Token id → phrasings containing it, ascending.
    pub postings: Vec<Vec<u32>>,
    /// The weight of a word the content never uses: as surprising as the
    /// rarest word it does use.
    pub unknown_weight: f32,
    /// Spelling correction over the Latin vocabulary.
    pub fuzzy: Fuzzy,
}

impl LangIndex {
    /// Indexes `content`'s phrasings in `lang`.
    pub fn build(content: &Content, lang: Lang) -> LangIndex {
        let settings = &content.matcher;
        let tokenizer = Tokenizer::new(settings.synonyms.get(lang), settings.stopwords.get(lang));
        let mut b = Builder {
            tokenizer,
            vocab: HashMap::new(),
            words: Vec::new(),
            phrasings: Vec::new(),
            targets: Vec::new(),
        };
        for faq in &content.faqs {
            let t = b.target(Target::Faq(faq.id.clone()));
            let text = faq.text.get(lang);
            b.phrasing(t, &text.question);
            for s in text.alternates.iter().chain(&text.keywords) {
                b.phrasing(t, s);
            }
        }
        for intent in &content.intents {
            let t = b.target(Target::Action(intent.id));
            for s in intent
                .examples
                .get(lang)
                .iter()
                .chain(intent.keywords.get(lang))
            {
                b.phrasing(t, s);
            }
        }
        b.finish(*settings.thresholds.get(lang))
    }

    /// The id of `text`, if the content uses it.
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.vocab.get(text).copied()
    }
}

/// Accumulates phrasings before weights can be computed.
struct Builder {
    tokenizer: Tokenizer,
    vocab: HashMap<String, u32>,
    words: Vec<String>,
    phrasings: Vec<Phrasing>,
    targets: Vec<Target>,
}

impl Builder {
    fn target(&mut self, target: Target) -> u32 {
        self.targets.push(target);
        (self.targets.len() - 1) as u32
    }

    fn phrasing(&mut self, target: u32, text: &str) {
        let mut tokens: Vec<u32> = Vec::new();
        for token in self.tokenizer.tokenize(text) {
            let next = self.words.len() as u32;
            let id = *self.vocab.entry(token.text.clone()).or_insert(next);
            if id == next {
                self.words.push(token.text);
            }
            if !tokens.contains(&id) {
                tokens.push(id);
            }
        }
        if tokens.is_empty() {
            return;
        }
        self.phrasings.push(Phrasing {
            target,
            text: text.to_string(),
            tokens,
            self_weight: 0.0,
            bm25_norm: 0.0,
        });
    }

    fn finish(self, thresholds: Thresholds) -> LangIndex {
        let n_tokens = self.words.len();
        let mut postings: Vec<Vec<u32>> = vec![Vec::new(); n_tokens];
        // Document frequency over targets, not phrasings: a word used by
        // every phrasing of one entry is that entry's word, not a common one.
        let mut target_df = vec![0u32; n_tokens];
        let mut last_target = vec![u32::MAX; n_tokens];
        for (p, phrasing) in self.phrasings.iter().enumerate() {
            for &t in &phrasing.tokens {
                postings[t as usize].push(p as u32);
                if last_target[t as usize] != phrasing.target {
                    last_target[t as usize] = phrasing.target;
                    target_df[t as usize] += 1;
                }
            }
        }
        // Phrasings are added target by target, so counting a target once
        // per run of its phrasings counts it once.
        let n = self.targets.len().max(1) as f32;
        let idf: Vec<f32> = target_df
            .iter()
            .map(|&df| {
                let df = df as f32;
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();
        let unknown_weight = (1.0 + (n + 0.5) / 1.5).ln();

        let mut phrasings = self.phrasings;
        let avg_len = phrasings.iter().map(|p| p.tokens.len()).sum::<usize>() as f32
            / phrasings.len().max(1) as f32;
        for p in &mut phrasings {
            p.self_weight = p.tokens.iter().map(|&t| idf[t as usize]).sum();
            let len = p.tokens.len() as f32;
            p.bm25_norm = (K1 + 1.0) / (1.0 + K1 * (1.0 - B + B * len / avg_len.max(1.0)));
        }

        let mut fuzzy = Fuzzy::default();
        for (word, &id) in &self.vocab {
            fuzzy.add(word, id);
        }
        for (word, canonical) in self.tokenizer.single_word_synonyms() {
            if let Some(&id) = self.vocab.get(canonical) {
                fuzzy.add(word, id);
            }
        }

        LangIndex {
            tokenizer: self.tokenizer,
            thresholds,
            targets: self.targets,
            phrasings,
            vocab: self.vocab,
            words: self.words,
            idf,
            postings,
            unknown_weight,
            fuzzy,
        }
    }
}

/// A message's token as the scorer sees it.
#[derive(Debug, Clone)]
pub struct QueryToken {
    /// As shown in explanations (the corrected spelling when corrected).
    pub text: String,
    /// The vocabulary token it matched, if any.
    pub id: Option<u32>,
    /// How much it weighs in the message's own mass.
    pub weight: f32,
}

impl LangIndex {
    /// Tokenises a message and looks its tokens up, correcting misspelt
    /// Latin words. Unknown bigrams weigh nothing (most are fragments
    /// spanning two words); other unknown tokens weigh `unknown_weight`.
    pub fn query(&self, text: &str) -> Vec<QueryToken> {
        let mut out: Vec<QueryToken> = Vec::new();
        for token in self.tokenizer.tokenize(text) {
            let id = self.token_id(&token.text).or_else(|| {
                (token.kind == Kind::Word)
                    .then(|| self.fuzzy.correct(&token.text))
                    .flatten()
            });
            let (text, weight) = match id {
                Some(id) => (self.words[id as usize].clone(), self.idf[id as usize]),
                None if token.kind == Kind::Gram => (token.text, 0.0),
                None => (token.text, self.unknown_weight),
            };
            if id.is_some() && out.iter().any(|q| q.id == id) {
                continue;
            }
            out.push(QueryToken { text, id, weight });
        }
        out
    }
}
