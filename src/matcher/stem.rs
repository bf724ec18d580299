//! A light, predictable English stemmer: enough to make "closing", "closed",
//! "closes" and "close" one word, without a linguist's rule book.
//!
//! Rules, applied once, in order, to a lowercase word:
//! 1. plural: `-ies` → `-y`; `-sses` → `-ss`; `-es` after s, x, z, ch, sh is
//!    dropped; otherwise a final `-s` is dropped unless the word ends in
//!    `-ss`, `-us` or `-is` or is three letters or shorter;
//! 2. suffix: `-ing` (stem of 3+ letters with a vowel), `-ed` (stem of 2+
//!    letters with a vowel, not `-eed`) and `-ly` (words of 6+ letters, not
//!    `-ply`) are dropped;
//! 3. a final `-e` is dropped (from words of 4+ letters), so `close` and
//!    `clos(ing)` meet;
//! 4. a final doubled consonant is undoubled (in words of 4+ letters), so
//!    `cancelled`, `cancell` and `cancel` meet.
//!
//! Words with anything but ASCII letters are returned unchanged. Both the
//! content and the messages go through the same function, so a stem that is
//! not an English word does no harm.

/// The stem of `word` (lowercase ASCII expected; anything else is returned
/// as is).
pub fn stem(word: &str) -> String {
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word.to_string();
    }
    let mut w = word.to_string();
    strip_plural(&mut w);
    strip_suffix(&mut w);
    if w.len() >= 4 && w.ends_with('e') {
        w.pop();
    }
    let b = w.as_bytes();
    if b.len() >= 4 && b[b.len() - 1] == b[b.len() - 2] && !is_vowel(b[b.len() - 1]) {
        w.pop();
    }
    w
}

fn strip_plural(w: &mut String) {
    if w.len() > 4 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("sses")
        || (w.len() > 4
            && ["ses", "xes", "zes", "ches", "shes"]
                .iter()
                .any(|s| w.ends_with(s)))
    {
        w.truncate(w.len() - 2);
    } else if w.len() > 3 && w.ends_with('s') && !["ss", "us", "is"].iter().any(|s| w.ends_with(s))
    {
        w.pop();
    }
}

fn strip_suffix(w: &mut String) {
    if let Some(base) = w.strip_suffix("ing") {
        if base.len() >= 3 && has_vowel(base) {
            w.truncate(base.len());
        }
    } else if let Some(base) = w.strip_suffix("ed") {
        if base.len() >= 2 && has_vowel(base) && !base.ends_with('e') {
            w.truncate(base.len());
        }
    } else if w.len() >= 6 && w.ends_with("ly") && !w.ends_with("ply") {
        w.truncate(w.len() - 2);
    }
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

fn has_vowel(s: &str) -> bool {
    s.bytes().any(is_vowel)
}

#[cfg(test)]
mod tests {
    use super::stem;

    fn same(words: &[&str]) {
        let first = stem(words[0]);
        for w in words {
            assert_eq!(stem(w), first, "{w} should stem like {}", words[0]);
        }
    }

    #[test]
    fn inflections_of_one_verb_share_a_stem() {
        same(&["close", "closes", "closed", "closing"]);
        same(&[
            "cancel",
            "cancels",
            "cancelled",
            "canceled",
            "cancelling",
            "cancell",
        ]);
        same(&["turn", "turns", "turned", "turning"]);
        same(&["stop", "stopped", "stopping"]);
    }

    #[test]
    fn plurals_meet_their_singular() {
        same(&["loan", "loans"]);
        same(&["record", "records"]);
        same(&["history", "histories"]);
        same(&["box", "boxes"]);
    }

    #[test]
    fn short_words_and_words_ending_in_s_sounds_are_left_alone() {
        assert_eq!(stem("is"), "is");
        assert_eq!(stem("this"), "this");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("off"), "off");
        assert_eq!(stem("need"), "need");
    }

    #[test]
    fn adverbs_lose_ly_but_apply_keeps_it() {
        same(&["permanent", "permanently"]);
        assert_eq!(stem("apply"), "apply");
    }

    #[test]
    fn non_latin_words_pass_through() {
        assert_eq!(stem("借呗"), "借呗");
        assert_eq!(stem("2024"), "2024");
    }
}
