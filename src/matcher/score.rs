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

use super::index::{Form, LangIndex, Query};
use super::outcome::Target;

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
    /// A request marker is used by at least this share of action examples,
    /// from two actions or more.
    pub marker_request_share: f32,
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

/// Scores every phrasing that shares a token with `query` and returns each
/// touched target's best candidate, best first.
pub fn rank(index: &LangIndex, query: &Query) -> Vec<Candidate> {
    let query_mass: f32 = query.tokens.iter().map(|q| q.weight).sum();
    if query_mass <= 0.0 {
        return Vec::new();
    }
    let params = &index.params;
    let explain_base = (params.enough * index.unknown_weight).min(query_mass);

    let mut matched = vec![0.0f32; index.phrasings.len()];
    let mut specific = vec![false; index.phrasings.len()];
    let mut touched: Vec<u32> = Vec::new();
    for q in &query.tokens {
        let Some(id) = q.id else { continue };
        let w = index.weight[id as usize];
        let is_specific = !index.ubiquitous[id as usize] && index.marker[id as usize].is_none();
        for &p in &index.postings[id as usize] {
            let slot = &mut matched[p as usize];
            if *slot == 0.0 {
                touched.push(p);
            }
            *slot += w;
            specific[p as usize] |= is_specific;
        }
    }

    // Cosine of the message against each target's profile.
    let query_norm = query
        .tokens
        .iter()
        .map(|q| q.weight * q.weight)
        .sum::<f32>()
        .sqrt();
    let mut cosine = vec![0.0f32; index.targets.len()];
    for q in &query.tokens {
        let Some(id) = q.id else { continue };
        for &(t, v) in &index.profiles[id as usize] {
            cosine[t as usize] += q.weight * v / query_norm;
        }
    }
    let lambda = params.lambda;
    let max_cosine = cosine
        .iter()
        .fold(0.0f32, |a, &b| a.max(b))
        .max(f32::MIN_POSITIVE);

    let mut best: Vec<Option<Candidate>> = vec![None; index.targets.len()];
    let mut targets: Vec<u32> = Vec::new();
    for &p in &touched {
        let m = matched[p as usize];
        let phrasing = &index.phrasings[p as usize];
        let covered = (m / phrasing.self_weight).min(1.0);
        let explained = (m / explain_base).min(1.0);
        let alpha = if phrasing.tokens.len() > 1 {
            params.alpha
        } else {
            0.0
        };
        let is_action = matches!(index.targets[phrasing.target as usize], Target::Action(_));
        let form = match query.form {
            Form::Question if is_action => 1.0 - params.form_penalty,
            Form::Request if !is_action => 1.0 - params.form_penalty,
            _ => 1.0,
        };
        let candidate = Candidate {
            target: phrasing.target,
            phrasing: p,
            score: m * phrasing.bm25_norm,
            specific: specific[p as usize],
            confidence: form
                * covered.powf(alpha)
                * explained.powf(1.0 - alpha)
                * (cosine[phrasing.target as usize] / max_cosine).powf(lambda),
        };
        let slot = &mut best[phrasing.target as usize];
        match slot {
            None => {
                targets.push(phrasing.target);
                *slot = Some(candidate);
            }
            Some(old) if better(&candidate, old) => *old = candidate,
            Some(_) => {}
        }
    }
    let mut ranked: Vec<Candidate> = targets.iter().filter_map(|&t| best[t as usize]).collect();
    ranked.sort_by(|a, b| {
        if better(a, b) {
            std::cmp::Ordering::Less
        } else if better(b, a) {
            std::cmp::Ordering::Greater
        } else {
            a.target.cmp(&b.target)
        }
    });
    ranked
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
