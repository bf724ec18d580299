//! Scoring a message against an index and turning the scores into a
//! decision.
//!
//! # Confidence
//!
//! Every token has a weight `w(t)`, its BM25 inverse document frequency
//! counted over targets: `ln(1 + (T - df + 0.5) / (df + 0.5))`, where `T` is
//! the number of targets (FAQ entries and actions) and `df` how many of them
//! use the token in any phrasing. A token the content never uses weighs as
//! much as the rarest one it does (`df = 1`); an unknown Chinese bigram
//! weighs nothing (it is most often a fragment spanning two words).
//!
//! For a message `Q` and a phrasing `P` (both sets of tokens), with
//! `m = Σ w(t) for t in Q ∩ P`:
//!
//! - phrasing coverage `p = m / Σ_{t in P} w(t)`: how much of the phrasing
//!   the message says (this is the BM25 score normalised by the phrasing's
//!   score against itself, as every token occurs once);
//! - message coverage `q = min(1, m / min(Σ_{t in Q} w(t), E))`: how much of
//!   the message the phrasing explains, where `E` is [`ENOUGH_EVIDENCE`]
//!   times the weight of an unknown word: a long message that says a whole
//!   phrasing plus small talk is explained enough, while a short one with an
//!   unexplained word ("open **Huabei**") is not;
//! - `confidence = p^α · q^(1-α)` with `α` = [`ALPHA`].
//!
//! Both factors are in `0..=1` and are 1 when the message is the phrasing,
//! so confidences compare across messages and languages. A target's
//! confidence is that of its best phrasing; ties go to the higher BM25
//! score, then to content order.

use super::index::{LangIndex, QueryToken};

/// Weight of phrasing coverage against message coverage.
pub const ALPHA: f32 = 0.6;
/// How many unknown-word weights of matched evidence fully explain a
/// message, however long it is.
pub const ENOUGH_EVIDENCE: f32 = 2.0;

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
}

/// Scores every phrasing that shares a token with `query` and returns each
/// touched target's best candidate, best first.
pub fn rank(index: &LangIndex, query: &[QueryToken]) -> Vec<Candidate> {
    let query_mass: f32 = query.iter().map(|q| q.weight).sum();
    if query_mass <= 0.0 {
        return Vec::new();
    }
    let enough = (ENOUGH_EVIDENCE * index.unknown_weight).min(query_mass);

    let mut matched = vec![0.0f32; index.phrasings.len()];
    let mut touched: Vec<u32> = Vec::new();
    for q in query {
        let Some(id) = q.id else { continue };
        let w = index.idf[id as usize];
        for &p in &index.postings[id as usize] {
            let slot = &mut matched[p as usize];
            if *slot == 0.0 {
                touched.push(p);
            }
            *slot += w;
        }
    }

    let mut best: Vec<Option<Candidate>> = vec![None; index.targets.len()];
    let mut targets: Vec<u32> = Vec::new();
    for &p in &touched {
        let m = matched[p as usize];
        let phrasing = &index.phrasings[p as usize];
        let covered = (m / phrasing.self_weight).min(1.0);
        let explained = (m / enough).min(1.0);
        let candidate = Candidate {
            target: phrasing.target,
            phrasing: p,
            score: m * phrasing.bm25_norm,
            confidence: covered.powf(ALPHA) * explained.powf(1.0 - ALPHA),
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
