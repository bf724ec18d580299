//! The inverted index of one language: every phrasing of every target
//! (FAQ questions, alternates and keywords; intent examples and keywords),
//! tokenised, with each token's posting list and weight.

use std::collections::{HashMap, HashSet};

use super::fuzzy::Fuzzy;
use super::normalize::{normalize, MAX_CHARS};
use super::outcome::Target;
use super::score::{alpha_of, Params};
use super::tokenize::{Kind, Tokenizer};
use crate::content::{ActionId, Content, Thresholds};
use crate::lang::Lang;

/// Where a phrasing comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A FAQ question or alternate: written as a question.
    Question,
    /// An intent example: written as a request.
    Example,
    /// A keyword of either.
    Keyword,
}

/// How a message is worded, told by its marker words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A question ("how do I close jiebei"): points at FAQ answers.
    Question,
    /// A request ("close my jiebei"): points at actions.
    Request,
    /// Neither, or both.
    Neutral,
}

impl Form {
    /// The form's name in explanations.
    pub fn name(self) -> &'static str {
        match self {
            Form::Question => "question",
            Form::Request => "request",
            Form::Neutral => "neutral",
        }
    }
}

/// One indexed phrasing.
#[derive(Debug)]
pub struct Phrasing {
    /// Index into [`LangIndex::targets`].
    pub target: u32,
    /// As written in content.
    pub text: String,
    /// Where it comes from.
    pub source: Source,
    /// Its distinct tokens.
    pub tokens: Vec<u32>,
    /// The sum of its tokens' weights: its matched weight against itself.
    pub self_weight: f32,
    /// BM25's length factor `(k1 + 1) / (1 + k1 (1 - b + b len / avglen))`;
    /// a phrasing's BM25 score is its matched weight times this (each token
    /// counts once per phrasing).
    pub bm25_norm: f32,
}

/// What scoring reads of a phrasing.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Its self weight.
    pub weight: f32,
    /// Its coverage exponent `a`.
    pub alpha: f32,
    /// Its BM25 length factor.
    pub bm25_norm: f32,
    /// Its target.
    pub target: u32,
    /// Whether its target is an action.
    pub action: bool,
}

/// A message that is small talk, not a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallTalk {
    /// "hi", "你好".
    Greeting,
    /// "thank you", "谢谢".
    Thanks,
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
    /// Scoring parameters.
    pub params: Params,
    /// Targets, FAQ entries first, then actions.
    pub targets: Vec<Target>,
    /// All phrasings.
    pub phrasings: Vec<Phrasing>,
    /// Per phrasing, what scoring reads, kept apart from [`Phrasing`] so a
    /// phrasing scored costs one small read, not a whole struct.
    pub shapes: Vec<Shape>,
    /// Token text → token id.
    pub vocab: HashMap<String, u32>,
    /// Token id → its text.
    pub words: Vec<String>,
    /// Token id → weight.
    pub weight: Vec<f32>,
    /// Token id → phrasings containing it, ascending.
    pub postings: Vec<Vec<u32>>,
    /// Token id → whether nearly every target uses it (see [`Params`]).
    pub ubiquitous: Vec<bool>,
    /// Token id → the form it marks, if any (see [`Params`]).
    pub marker: Vec<Option<Form>>,
    /// The weight of a word the content never uses.
    pub unknown_weight: f32,
    /// Spelling correction over the Latin vocabulary.
    pub fuzzy: Fuzzy,
    /// Token id → (target, weight in that target's profile); each target's
    /// profile has unit length.
    pub profiles: Vec<Vec<(u32, f32)>>,
    /// Per target: for an action that closes something (turn off,
    /// cancel), the tokens of its one-word keywords ("close", "cancel"),
    /// one of which a message must say to be taken as that action; empty
    /// for other targets.
    pub verbs: Vec<Vec<u32>>,
    /// The product's own names, as tokens.
    pub product: HashSet<String>,
    /// Other products, each as the tokens a message must all contain.
    pub other_products: Vec<Vec<String>>,
    /// Normalised greetings, longest first.
    pub greetings: Vec<String>,
    /// Normalised thanks, longest first.
    pub thanks: Vec<String>,
    /// Words that make a question of the clause they open.
    pub openers: Openers,
    /// Words that make a request of the clause they open.
    pub request_openers: Openers,
}

/// Clause openers of one form, normalised: Latin words are matched as a
/// clause's leading word; Chinese ones, since a Chinese clause has no
/// spaces, anywhere in it (question words) or at its start (requests).
#[derive(Debug, Default)]
pub struct Openers {
    words: HashSet<String>,
    chinese: Vec<String>,
}

impl Openers {
    fn new(list: &[String]) -> Openers {
        let mut o = Openers::default();
        for w in list.iter().map(|w| normalize(w)).filter(|w| !w.is_empty()) {
            if w.is_ascii() {
                o.words.insert(w);
            } else {
                o.chinese.push(w);
            }
        }
        o
    }

    fn opens(&self, word: &str, anywhere: bool) -> bool {
        self.words.contains(word)
            || self.chinese.iter().any(|o| match anywhere {
                true => word.contains(o.as_str()),
                false => word.starts_with(o.as_str()),
            })
    }
}

impl LangIndex {
    /// Indexes `content`'s phrasings in `lang`.
    pub fn build(content: &Content, lang: Lang) -> LangIndex {
        let settings = &content.matcher;
        let mut b = Builder {
            tokenizer: Tokenizer::new(settings.synonyms.get(lang), settings.stopwords.get(lang)),
            vocab: HashMap::new(),
            words: Vec::new(),
            phrasings: Vec::new(),
            targets: Vec::new(),
        };
        for faq in &content.faqs {
            let t = b.target(Target::Faq(faq.id.clone()));
            let text = faq.text.get(lang);
            for s in std::iter::once(&text.question).chain(&text.alternates) {
                b.phrasing(t, s, Source::Question);
            }
            for s in &text.keywords {
                b.phrasing(t, s, Source::Keyword);
            }
        }
        for intent in &content.intents {
            let t = b.target(Target::Action(intent.id));
            for s in intent.examples.get(lang) {
                b.phrasing(t, s, Source::Example);
            }
            for s in intent.keywords.get(lang) {
                b.phrasing(t, s, Source::Keyword);
            }
        }
        let mut index = b.finish(*settings.thresholds.get(lang), Params::default());
        index.openers = Openers::new(settings.question_openers.get(lang));
        index.request_openers = Openers::new(settings.request_openers.get(lang));
        let longest_first = |list: &[String]| {
            let mut v: Vec<String> = list
                .iter()
                .map(|w| normalize(w))
                .filter(|w| !w.is_empty())
                .collect();
            v.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
            v.dedup();
            v
        };
        let tokens = |s: &String| -> Vec<String> {
            index
                .tokenizer
                .tokenize(s)
                .into_iter()
                .map(|t| t.text)
                .collect()
        };
        index.product = settings.product.get(lang).iter().flat_map(tokens).collect();
        index.other_products = settings
            .other_products
            .get(lang)
            .iter()
            .map(tokens)
            .filter(|t| !t.is_empty())
            .collect();
        index.greetings = longest_first(settings.greetings.get(lang));
        index.thanks = longest_first(settings.thanks.get(lang));
        index
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

    fn phrasing(&mut self, target: u32, text: &str, source: Source) {
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
            source,
            tokens,
            self_weight: 0.0,
            bm25_norm: 0.0,
        });
    }

    fn finish(self, thresholds: Thresholds, params: Params) -> LangIndex {
        let n_tokens = self.words.len();
        let mut postings: Vec<Vec<u32>> = vec![Vec::new(); n_tokens];
        // Per token: how many targets use it (for the weight); how many FAQ
        // entries and questions ask with it, how many actions and examples
        // use it (for the form markers). Phrasings come target by target,
        // so remembering the last target seen counts each target once.
        let mut target_df = vec![0u32; n_tokens];
        let mut last_target = vec![u32::MAX; n_tokens];
        let mut faq_df = vec![0u32; n_tokens];
        let mut question_df = vec![0u32; n_tokens];
        let mut action_df = vec![0u32; n_tokens];
        let mut example_df = vec![0u32; n_tokens];
        let (mut n_questions, mut n_examples) = (0u32, 0u32);
        for (p, phrasing) in self.phrasings.iter().enumerate() {
            n_questions += u32::from(phrasing.source == Source::Question);
            n_examples += u32::from(phrasing.source == Source::Example);
            for &t in &phrasing.tokens {
                let t = t as usize;
                postings[t].push(p as u32);
                let first_of_target = last_target[t] != phrasing.target;
                if first_of_target {
                    last_target[t] = phrasing.target;
                    target_df[t] += 1;
                }
                match phrasing.source {
                    Source::Question => {
                        question_df[t] += 1;
                        faq_df[t] += u32::from(first_of_target);
                    }
                    Source::Example => {
                        example_df[t] += 1;
                        action_df[t] += u32::from(first_of_target);
                    }
                    Source::Keyword => {}
                }
            }
        }
        // Per token: (target, share of the target's phrasings using it).
        let mut shares: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_tokens];
        let mut start = 0;
        while start < self.phrasings.len() {
            let target = self.phrasings[start].target;
            let end = self.phrasings[start..]
                .iter()
                .position(|p| p.target != target)
                .map_or(self.phrasings.len(), |k| start + k);
            let n_p = (end - start) as f32;
            for p in &self.phrasings[start..end] {
                for &t in &p.tokens {
                    let list = &mut shares[t as usize];
                    match list.last_mut() {
                        Some((last, share)) if *last == target => *share += 1.0 / n_p,
                        _ => list.push((target, 1.0 / n_p)),
                    }
                }
            }
            start = end;
        }
        let n = self.targets.len().max(1) as f32;
        let idf = |df: f32| (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let rarest = idf(1.0);
        let floor = params.floor * rarest;
        let weight: Vec<f32> = target_df.iter().map(|&df| idf(df as f32) + floor).collect();
        let ubiquitous: Vec<bool> = target_df
            .iter()
            .map(|&df| df as f32 > params.ubiquitous_share * n)
            .collect();
        let unknown_weight = params.unknown * rarest + floor;

        let n_faqs = self
            .targets
            .iter()
            .filter(|t| matches!(t, Target::Faq(_)))
            .count() as f32;
        let min_faqs = (params.marker_min_faq_share * n_faqs).ceil().max(2.0);
        let n_actions = self.targets.len() as f32 - n_faqs;
        let min_actions = (params.marker_min_action_share * n_actions).ceil().max(2.0);
        let (n_questions, n_examples) = (n_questions.max(1) as f32, n_examples.max(1) as f32);
        let marker: Vec<Option<Form>> = (0..n_tokens)
            .map(|t| {
                let in_questions = question_df[t] as f32 / n_questions;
                let in_examples = example_df[t] as f32 / n_examples;
                if faq_df[t] as f32 >= min_faqs && in_examples <= params.marker_rare_share {
                    Some(Form::Question)
                } else if action_df[t] as f32 >= min_actions
                    && in_examples >= params.marker_request_share
                    && in_questions <= params.marker_rare_share
                {
                    Some(Form::Request)
                } else {
                    None
                }
            })
            .collect();

        let mut phrasings = self.phrasings;
        let avg_len = phrasings.iter().map(|p| p.tokens.len()).sum::<usize>() as f32
            / phrasings.len().max(1) as f32;
        for p in &mut phrasings {
            p.self_weight = p.tokens.iter().map(|&t| weight[t as usize]).sum();
            let len = p.tokens.len() as f32;
            p.bm25_norm = (K1 + 1.0) / (1.0 + K1 * (1.0 - B + B * len / avg_len.max(1.0)));
        }

        // Each target's profile: every token, weighted by its share of the
        // target's phrasings times its weight, scaled to unit length.
        let mut norms = vec![0.0f32; self.targets.len()];
        for (t, list) in shares.iter().enumerate() {
            for &(target, share) in list {
                norms[target as usize] += (share * weight[t]).powi(2);
            }
        }
        let profiles: Vec<Vec<(u32, f32)>> = shares
            .iter()
            .enumerate()
            .map(|(t, list)| {
                list.iter()
                    .map(|&(target, share)| {
                        (target, share * weight[t] / norms[target as usize].sqrt())
                    })
                    .collect()
            })
            .collect();

        let mut verbs: Vec<Vec<u32>> = vec![Vec::new(); self.targets.len()];
        for p in &phrasings {
            let closes = matches!(
                self.targets[p.target as usize],
                Target::Action(ActionId::TurnOff | ActionId::Cancel)
            );
            if closes && p.source == Source::Keyword && p.tokens.len() == 1 {
                let verbs = &mut verbs[p.target as usize];
                if !verbs.contains(&p.tokens[0]) {
                    verbs.push(p.tokens[0]);
                }
            }
        }
        let shapes = phrasings
            .iter()
            .map(|p| Shape {
                weight: p.self_weight,
                alpha: alpha_of(&params, p.tokens.len()),
                bm25_norm: p.bm25_norm,
                target: p.target,
                action: matches!(self.targets[p.target as usize], Target::Action(_)),
            })
            .collect();

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
            params,
            targets: self.targets,
            phrasings,
            shapes,
            vocab: self.vocab,
            words: self.words,
            weight,
            postings,
            ubiquitous,
            marker,
            unknown_weight,
            fuzzy,
            profiles,
            verbs,
            product: HashSet::new(),
            other_products: Vec::new(),
            greetings: Vec::new(),
            thanks: Vec::new(),
            openers: Openers::default(),
            request_openers: Openers::default(),
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

/// A message, tokenised and looked up.
#[derive(Debug, Clone)]
pub struct Query {
    /// Its tokens, each once.
    pub tokens: Vec<QueryToken>,
    /// How it is worded.
    pub form: Form,
    /// Whether it is about this product, another, or both.
    pub scope: Scope,
}

/// Which product a message is about, by the products it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// This one, or none named.
    Ours,
    /// Another product and not this one ("the interest rate of a CCB
    /// loan"): not a question for this content.
    Elsewhere,
    /// This one and another ("the jiebei records on my credit report, for
    /// a mortgage"): matched as usual, shown in explanations.
    Mixed,
}

impl Scope {
    /// The scope's name in explanations.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Ours => "ours",
            Scope::Elsewhere => "elsewhere",
            Scope::Mixed => "mixed",
        }
    }
}

impl LangIndex {
    /// Tokenises a message and looks its tokens up, correcting misspelt
    /// Latin words. Unknown bigrams weigh nothing (most are fragments
    /// spanning two words); other unknown tokens weigh `unknown_weight`.
    pub fn query(&self, text: &str) -> Query {
        let mut tokens: Vec<QueryToken> = Vec::new();
        // The form of the last marker said: in "I paid it all, now I want to
        // cancel; what are the steps?" the closing question is the ask.
        let mut form = Form::Neutral;
        let text: String = text.chars().take(MAX_CHARS).collect();
        for (clause, asks) in clauses(&text) {
            let normalized = normalize(clause);
            if let Some(opened) = self.opened(&normalized) {
                form = opened;
            }
            for token in self.tokenizer.tokenize_normalized(&normalized) {
                let id = self.vocab.get(&token.text).copied().or_else(|| {
                    (token.kind == Kind::Word)
                        .then(|| self.fuzzy.correct(&token.text))
                        .flatten()
                });
                let (text, weight) = match id {
                    Some(id) => (self.words[id as usize].clone(), self.weight[id as usize]),
                    None if token.kind == Kind::Gram => (token.text, 0.0),
                    None => (token.text, self.unknown_weight),
                };
                if let Some(id) = id {
                    if let Some(marker) = self.marker[id as usize] {
                        form = marker;
                    }
                    if tokens.iter().any(|q| q.id == Some(id)) {
                        continue;
                    }
                }
                tokens.push(QueryToken { text, id, weight });
            }
            if asks {
                form = Form::Question;
            }
        }
        let has = |t: &String| tokens.iter().any(|q| &q.text == t);
        let ours = tokens.iter().any(|q| self.product.contains(&q.text));
        let other = self.other_products.iter().any(|p| p.iter().all(has));
        let scope = match (ours, other) {
            (_, false) => Scope::Ours,
            (false, true) => Scope::Elsewhere,
            (true, true) => Scope::Mixed,
        };
        Query {
            tokens,
            form,
            scope,
        }
    }
}

impl LangIndex {
    /// Whether `text` is only a greeting or only thanks (with stopwords and
    /// punctuation around it); thanks win when it is both ("hi, thanks!").
    pub fn small_talk(&self, text: &str) -> Option<SmallTalk> {
        let mut rest = format!(" {} ", normalize(text));
        let mut found = None;
        for (list, kind) in [
            (&self.thanks, SmallTalk::Thanks),
            (&self.greetings, SmallTalk::Greeting),
        ] {
            for phrase in list {
                // Latin phrases as whole words; Chinese ones anywhere.
                let needle = if phrase.is_ascii() {
                    format!(" {phrase} ")
                } else {
                    phrase.clone()
                };
                while let Some(at) = rest.find(&needle) {
                    rest.replace_range(at..at + needle.len(), " ");
                    found.get_or_insert(kind);
                }
            }
        }
        let found = found?;
        self.tokenizer.tokenize(&rest).is_empty().then_some(found)
    }

    /// The form a clause's opening word gives it: the first word that is an
    /// opener, or that is not a stopword (so "ok so does it..." opens with
    /// "does"). A Chinese question word counts anywhere in a clause
    /// ("借呗该找哪个客服"), a Chinese request opener at its start.
    fn opened(&self, clause: &str) -> Option<Form> {
        for word in clause.split(' ') {
            if self.openers.opens(word, true) {
                return Some(Form::Question);
            }
            if self.request_openers.opens(word, false) {
                return Some(Form::Request);
            }
            if !self.tokenizer.is_stopword(&super::stem::stem(word)) {
                return None;
            }
        }
        None
    }
}

/// Splits `text` into clauses at punctuation (and line breaks), each with
/// whether it ends in a question mark.
fn clauses(text: &str) -> impl Iterator<Item = (&str, bool)> {
    const ENDS: [char; 14] = [
        '?', '\u{FF1F}', ',', '\u{FF0C}', '\u{3001}', ';', '\u{FF1B}', '.', '\u{3002}', '!',
        '\u{FF01}', ':', '\u{FF1A}', '\n',
    ];
    text.split_inclusive(ENDS)
        .map(|s| (s, s.ends_with(['?', '\u{FF1F}'])))
}
