//! Spelling correction for Latin words the content never uses: "jeibei",
//! "clsoe", "deregsiter" are read as the nearest vocabulary word.
//!
//! Only out-of-vocabulary words of four letters or more are corrected: a
//! four-letter word only by swapping two neighbours ("clso" → "clos"; one
//! edit there would turn "last" into "lat(e)"), a longer one to a word at
//! Damerau-Levenshtein distance 1, or 2 for words of eight letters or more. The
//! candidates are prefiltered by length (within the allowed distance) and by
//! first letter (equal, or swapped with the second), so a correction costs a
//! few dozen distance computations, not one per vocabulary word. A typo in
//! the first letter is therefore not corrected; the synonym table can list
//! such spellings ("zibai") instead.

use std::collections::HashMap;

/// Shortest word that is corrected.
const MIN_LEN: usize = 4;
/// Words this long or longer may be two edits away.
const TWO_EDITS_LEN: usize = 8;

/// The words a misspelling may be corrected to, bucketed for the prefilter.
#[derive(Debug, Default)]
pub struct Fuzzy {
    /// (first byte, length) → (word, token id), sorted by word.
    buckets: HashMap<(u8, usize), Vec<(String, u32)>>,
}

impl Fuzzy {
    /// Adds `word` (lowercase ASCII letters), read as token `id`. Words
    /// shorter than the correction minimum or not plain ASCII are skipped.
    pub fn add(&mut self, word: &str, id: u32) {
        if word.len() < MIN_LEN - 1 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            return;
        }
        let bucket = self
            .buckets
            .entry((word.as_bytes()[0], word.len()))
            .or_default();
        if !bucket.iter().any(|(w, _)| w == word) {
            bucket.push((word.to_string(), id));
            bucket.sort();
        }
    }

    /// The token `word` most likely stands for, if one is close enough.
    pub fn correct(&self, word: &str) -> Option<u32> {
        let bytes = word.as_bytes();
        if bytes.len() < MIN_LEN || !bytes.iter().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        let max = if bytes.len() >= TWO_EDITS_LEN { 2 } else { 1 };
        let swap_only = bytes.len() == MIN_LEN;
        let firsts = [bytes[0], bytes[1]];
        let firsts = if firsts[0] == firsts[1] {
            &firsts[..1]
        } else {
            &firsts[..]
        };
        let mut best: Option<(usize, &str, u32)> = None;
        for &first in firsts {
            for len in bytes.len() - max..=bytes.len() + max {
                let Some(bucket) = self.buckets.get(&(first, len)) else {
                    continue;
                };
                for (candidate, id) in bucket {
                    if swap_only && !is_swap(bytes, candidate.as_bytes()) {
                        continue;
                    }
                    let d = strsim::damerau_levenshtein(word, candidate);
                    let better = match best {
                        None => true,
                        Some((bd, bw, _)) => d < bd || (d == bd && candidate.as_str() < bw),
                    };
                    if d <= max && better {
                        best = Some((d, candidate, *id));
                    }
                }
            }
        }
        best.map(|(_, _, id)| id)
    }
}

/// True when `b` is `a` with two neighbouring letters swapped.
fn is_swap(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(diffs[..], [i, j] if j == i + 1 && a[i] == b[j] && a[j] == b[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Fuzzy {
        let mut f = Fuzzy::default();
        for (i, w) in ["jiebei", "clos", "cancel", "deregister", "zhima", "loan"]
            .iter()
            .enumerate()
        {
            f.add(w, i as u32);
        }
        f
    }

    #[test]
    fn swapped_letters_are_one_edit() {
        let f = vocab();
        assert_eq!(f.correct("jeibei"), Some(0));
        assert_eq!(f.correct("clso"), Some(1));
    }

    #[test]
    fn long_words_may_be_two_edits_away() {
        assert_eq!(vocab().correct("deregestr"), Some(3));
    }

    #[test]
    fn other_products_are_not_corrected_into_jiebei() {
        let f = vocab();
        assert_eq!(f.correct("huabei"), None);
        assert_eq!(f.correct("beibei"), None);
    }

    #[test]
    fn four_letter_words_are_only_corrected_by_a_swap() {
        let mut f = Fuzzy::default();
        f.add("lat", 0);
        f.add("loan", 1);
        assert_eq!(f.correct("last"), None);
        assert_eq!(f.correct("lona"), Some(1));
        assert_eq!(f.correct("loen"), None);
    }

    #[test]
    fn short_words_are_never_corrected() {
        let mut f = Fuzzy::default();
        f.add("off", 0);
        assert_eq!(f.correct("of"), None);
        assert_eq!(f.correct("oof"), None);
    }
}
