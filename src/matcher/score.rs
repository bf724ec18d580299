//! Scoring a message against an index: every phrasing sharing a token with
//! the message gets a confidence, and each target keeps its best phrasing.
//!
//! # Weights
//!
//! A token's weight is its BM25 inverse document frequency counted over
//! targets, `idf(df) = ln(1 + (T - df + 0.5) / (df + 0.5))` (`T` targets, `df`
//! of them using the token anywhere), plus a floor of [`Params::floor`]
//! times `idf(1)`. Counting targets rather than phrasings keeps a word that
//! every phrasing of one entry uses as that entry's word; the floor keeps
//! words every entry uses ("jiebei", "close") from weighing nothing. A word
//! the content never uses weighs [`Params::unknown`] times `idf(1)` plus the
//! floor; an unknown Chinese bigram weighs nothing (most are fragments
//! spanning two words).
//!
//! # Confidence
//!
//! For a message `Q` and a phrasing `P` (sets of tokens), with matched weight
//! `m = Σ w(t) for t in Q ∩ P`:
//!
//! - phrasing coverage `p = m / Σ_{t in P} w(t)`: how much of the phrasing
//!   the message says. This is the phrasing's BM25 score normalised by its
//!   score against itself (every token counts once, so BM25's length factor
//!   cancels out);
//! - message coverage `q = min(1, m / min(Σ_{t in Q} w(t), E))`: how much of
//!   the message the phrasing explains, where `E` is [`Params::enough`]
//!   unknown words' weight: a long message that says a whole phrasing plus
//!   small talk is explained enough, a short one with an unexplained word
//!   ("how do I raise my **Huabei** limit") is not;
//! - `a = α`, or 0 for a one-token phrasing (most keywords): that one is
//!   fully covered whenever it matches, so it counts by message coverage;
//! - profile agreement `c = cos(Q, target) / max_target cos(Q, target)`, the
//!   cosine of the message against the target's profile (each token
//!   weighted by the share of the target's phrasings using it), relative to
//!   the best target: a message that matches one phrasing by accident but
//!   speaks the vocabulary of another entry leans to that entry;
//! - form agreement `f`: 1, or `1 - `[`Params::form_penalty`] when a message
//!   worded as a question points at an action, or a request at a FAQ entry
//!   (see `Form` in the index);
//!
//! `confidence = f · p^a · q^(1-a) · c^λ`, with `α` = [`Params::alpha`] and
//! `λ` = [`Params::lambda`]. Every factor is in `0..=1` and is 1 when the
//! message is the phrasing, so a confidence means the same across messages
//! and languages and can be compared with the thresholds in content. A
//! target's confidence is that of its best phrasing; ties go to the higher
//! BM25 score, then to content order.

use std::cell::RefCell;

use super::index::{Form, LangIndex, Query};

/// The scoring constants (see the module documentation for their roles).
/// They were chosen on a held-out set of customer-like messages; content
/// decides the thresholds the resulting confidences are compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// `α`: weight of phrasing coverage against message coverage.
    pub alpha: f32,
    /// `E`, in unknown words.
    pub enough: f32,
    /// Added to every weight, in units of the rarest word's weight.
    pub floor: f32,
    /// An unknown word's weight, in units of the rarest word's weight.
    pub unknown: f32,
    /// `λ`: weight of the profile agreement.
    pub lambda: f32,
    /// Confidence lost when the message's form disagrees with the target.
    pub form_penalty: f32,
    /// A token used by more than this share of targets is ubiquitous: it
    /// says nothing about which target is meant, so a match made only of
    /// ubiquitous tokens ("jiebei" alone) is never answered, only clarified.
    pub ubiquitous_share: f32,
    /// A question marker is used by at least this share of FAQ entries...
    pub marker_min_faq_share: f32,
    /// ...and by at most this share of action examples (and a request
    /// marker by at most this share of FAQ questions).
    pub marker_rare_share: f32,
    /// A request marker is used by at least this share of action examples...
    pub marker_request_share: f32,
    /// ...from at least this share of the actions (and two or more).
    pub marker_min_action_share: f32,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            alpha: 0.6,
            enough: 3.0,
            floor: 0.25,
            unknown: 1.0,
            lambda: 0.5,
            form_penalty: 0.3,
            ubiquitous_share: 0.85,
            marker_min_faq_share: 0.3,
            marker_rare_share: 0.03,
            marker_request_share: 0.05,
            marker_min_action_share: 0.6,
        }
    }
}

/// A target's best phrasing against one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Index into the index's targets.
    pub target: u32,
    /// Index into the index's phrasings.
    pub phrasing: u32,
    /// BM25 score of the phrasing.
    pub score: f32,
    /// Confidence, see the module documentation.
    pub confidence: f32,
    /// Whether a matched token is specific: neither used by nearly every
    /// target (see [`Params::ubiquitous_share`]) nor a question or request
    /// marker.
    pub specific: bool,
}

/// How many candidates [`rank`] returns: the best, the runner-up and a
/// third for a clarify question.
pub const TOP: usize = 3;

/// Buffers [`rank`] reuses from call to call on a thread, so a message
/// costs what it touches, not the size of the content: every slot is back to
/// zero (or `None`) when a call ends.
#[derive(Default)]
struct Scratch {
    /// Per phrasing: the matched weight.
    matched: Vec<f32>,
    /// The phrasings with a non-zero matched weight.
    touched: Vec<u32>,
    /// Per target: the cosine of the message against its profile.
    cosine: Vec<f32>,
    /// Per target: its best candidate so far.
    best: Vec<Option<Candidate>>,
    /// The targets with a candidate.
    targets: Vec<u32>,
    /// Set while a call runs: a call that panicked left dirty slots behind.
    dirty: bool,
}

impl Scratch {
    fn prepare(&mut self, phrasings: usize, targets: usize) {
        if self.dirty {
            *self = Scratch::default();
        }
        self.dirty = true;
        if self.matched.len() < phrasings {
            self.matched.resize(phrasings, 0.0);
        }
        if self.cosine.len() < targets {
            self.cosine.resize(targets, 0.0);
            self.best.resize(targets, None);
        }
    }

    fn reset(&mut self, index: &LangIndex) {
        // `score_all` cleared the touched slots of `matched` on its way out,
        // unless it returned before scoring (then none was set).
        self.touched.clear();
        self.cosine[..index.targets.len()].fill(0.0);
        for &t in &self.targets {
            self.best[t as usize] = None;
        }
        self.targets.clear();
        self.dirty = false;
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Scores the phrasings that share a token with `query` and returns the
/// [`TOP`] best targets, best first, each with its best phrasing.
///
/// Work is bounded for large contents: the strongest phrasings (at least
/// half the best matched weight) are scored first and set a bar, the
/// third-best target's confidence. A confidence is a weighted geometric mean
/// times factors of at most 1, so it is at most the weighted arithmetic mean
/// `a min(1, m / w) + (1 - a) min(1, m / base)`; the other phrasings whose
/// bound is under the bar are skipped without being scored. The result is
/// the same as scoring them all.
pub fn rank(index: &LangIndex, query: &Query) -> Vec<Candidate> {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => rank_with(index, query, &mut scratch),
        Err(_) => rank_with(index, query, &mut Scratch::default()),
    })
}

fn rank_with(index: &LangIndex, query: &Query, s: &mut Scratch) -> Vec<Candidate> {
    let query_mass: f32 = query.tokens.iter().map(|q| q.weight).sum();
    if query_mass <= 0.0 {
        return Vec::new();
    }
    s.prepare(index.phrasings.len(), index.targets.len());
    let found = score_all(index, query, query_mass, s);
    s.reset(index);
    found
}

fn score_all(index: &LangIndex, query: &Query, query_mass: f32, s: &mut Scratch) -> Vec<Candidate> {
    let params = &index.params;
    let base = (params.enough * index.unknown_weight).min(query_mass);

    let mut max_matched = 0.0f32;
    for q in &query.tokens {
        let Some(id) = q.id else { continue };
        let w = index.weight[id as usize];
        for &p in &index.postings[id as usize] {
            let slot = &mut s.matched[p as usize];
            if *slot == 0.0 {
                s.touched.push(p);
            }
            *slot += w;
            // A branch, not `f32::max`: rarely taken, so no dependency chain.
            if *slot > max_matched {
                max_matched = *slot;
            }
        }
    }
    if s.touched.is_empty() {
        return Vec::new();
    }

    // Cosine of the message against each target's profile.
    let query_norm = query
        .tokens
        .iter()
        .map(|q| q.weight * q.weight)
        .sum::<f32>()
        .sqrt();
    for q in &query.tokens {
        let Some(id) = q.id else { continue };
        let scale = q.weight / query_norm;
        for &(t, v) in &index.profiles[id as usize] {
            s.cosine[t as usize] += scale * v;
        }
    }
    let max_cosine = s.cosine[..index.targets.len()]
        .iter()
        .fold(f32::MIN_POSITIVE, |a, &b| a.max(b));

    let specific_ids: Vec<u32> = query
        .tokens
        .iter()
        .filter_map(|q| q.id)
        .filter(|&id| !index.ubiquitous[id as usize] && index.marker[id as usize].is_none())
        .collect();
    let cosine = &s.cosine;
    // `specific` is filled in for the winners only, at the end.
    let score = |p: u32, m: f32| -> Candidate {
        let shape = index.shapes[p as usize];
        let covered = (m / shape.weight).min(1.0);
        let explained = (m / base).min(1.0);
        let form = match query.form {
            Form::Question if shape.action => 1.0 - params.form_penalty,
            Form::Request if !shape.action => 1.0 - params.form_penalty,
            _ => 1.0,
        };
        let agreement = cosine[shape.target as usize] / max_cosine;
        Candidate {
            target: shape.target,
            phrasing: p,
            score: m * shape.bm25_norm,
            specific: false,
            confidence: form
                * covered.powf(shape.alpha)
                * explained.powf(1.0 - shape.alpha)
                * agreement.powf(params.lambda),
        }
    };

    // The strongest phrasings first, to set the bar...
    let strong = 0.5 * max_matched;
    for &p in &s.touched {
        let m = s.matched[p as usize];
        if m >= strong {
            keep(&mut s.best, &mut s.targets, score(p, m));
        }
    }
    let so_far = top(&s.best, &s.targets);
    let bar = if so_far.len() == TOP {
        so_far[TOP - 1].confidence
    } else {
        0.0
    };
    // ...then the others whose bound reaches it. Each slot is cleared as
    // it is read: this is the last pass over them.
    for &p in &s.touched {
        let m = std::mem::take(&mut s.matched[p as usize]);
        if m >= strong {
            continue;
        }
        let (weight, alpha) = (
            index.shapes[p as usize].weight,
            index.shapes[p as usize].alpha,
        );
        let bound = alpha * (m / weight).min(1.0) + (1.0 - alpha) * (m / base).min(1.0);
        if bound >= bar {
            keep(&mut s.best, &mut s.targets, score(p, m));
        }
    }
    let mut found = top(&s.best, &s.targets);
    for c in &mut found {
        let tokens = &index.phrasings[c.phrasing as usize].tokens;
        c.specific = tokens.iter().any(|t| specific_ids.contains(t));
    }
    found
}

/// Records `c` if it is its target's best so far.
fn keep(best: &mut [Option<Candidate>], targets: &mut Vec<u32>, c: Candidate) {
    let slot = &mut best[c.target as usize];
    match slot {
        None => {
            targets.push(c.target);
            *slot = Some(c);
        }
        Some(old) if better(&c, old) => *old = c,
        Some(_) => {}
    }
}

/// The phrasing-coverage exponent `a` of a phrasing with `tokens` tokens.
pub fn alpha_of(params: &Params, tokens: usize) -> f32 {
    if tokens > 1 {
        params.alpha
    } else {
        0.0
    }
}

/// The [`TOP`] best of the targets' candidates, best first.
fn top(best: &[Option<Candidate>], targets: &[u32]) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::with_capacity(TOP + 1);
    for c in targets.iter().filter_map(|&t| best[t as usize]) {
        let at = out
            .iter()
            .position(|o| better(&c, o) || (!better(o, &c) && c.target < o.target));
        match at {
            Some(i) => out.insert(i, c),
            None => out.push(c),
        }
        out.truncate(TOP);
    }
    out
}

/// True when `a` beats `b`: higher confidence, then higher score, then the
/// earlier phrasing.
fn better(a: &Candidate, b: &Candidate) -> bool {
    if a.confidence != b.confidence {
        return a.confidence > b.confidence;
    }
    if a.score != b.score {
        return a.score > b.score;
    }
    a.phrasing < b.phrasing
}
