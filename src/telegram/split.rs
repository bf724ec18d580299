//! Splitting a reply that is longer than one Telegram message: on paragraph
//! boundaries first, then lines, then words, and only as a last resort in
//! the middle of a word.

/// Telegram's limit on a message's text after entity parsing. Telegram says
/// "characters"; we count UTF-16 code units, which are never fewer, so a
/// piece that fits here fits there.
pub(crate) const MAX_TEXT: usize = 4096;

/// Boundaries tried in order: paragraph, line, word.
const SEPARATORS: &[&str] = &["\n\n", "\n", " "];

/// The length Telegram counts.
pub(crate) fn telegram_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits `text` into pieces of at most `limit` UTF-16 code units each,
/// dropping pieces that are only whitespace (Telegram refuses empty text).
pub(crate) fn split(text: &str, limit: usize) -> Vec<String> {
    assert!(limit >= 2, "a limit below 2 cannot hold a surrogate pair");
    pieces(text, limit, SEPARATORS)
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect()
}

fn pieces(text: &str, limit: usize, separators: &[&str]) -> Vec<String> {
    if telegram_len(text) <= limit {
        return vec![text.to_string()];
    }
    let Some((sep, finer)) = separators.split_first() else {
        return hard_split(text, limit);
    };
    let sep_len = telegram_len(sep);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for part in text.split(sep) {
        let part_len = telegram_len(part);
        let joined = if current.is_empty() {
            part_len
        } else {
            current_len + sep_len + part_len
        };
        if joined <= limit {
            if !current.is_empty() {
                current.push_str(sep);
            }
            current.push_str(part);
            current_len = joined;
            continue;
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if part_len <= limit {
            current = part.to_string();
            current_len = part_len;
        } else {
            out.extend(pieces(part, limit, finer));
            current_len = 0;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Cuts between characters (never inside a surrogate pair).
fn hard_split(text: &str, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut len = 0;
    for c in text.chars() {
        if len + c.len_utf16() > limit {
            out.push(std::mem::take(&mut current));
            len = 0;
        }
        current.push(c);
        len += c.len_utf16();
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_short_text_stays_whole() {
        assert_eq!(split("hello\n\nworld", 4096), vec!["hello\n\nworld"]);
    }

    #[test]
    fn a_long_text_splits_between_paragraphs() {
        let a = "a".repeat(3000);
        let b = "b".repeat(2000);
        assert_eq!(split(&format!("{a}\n\n{b}"), 4096), vec![a, b]);
    }

    #[test]
    fn paragraphs_are_packed_together_while_they_fit() {
        let text = "one\n\ntwo\n\nthree";
        assert_eq!(split(text, 10), vec!["one\n\ntwo", "three"]);
    }

    #[test]
    fn a_paragraph_too_long_for_one_message_splits_on_lines_then_words() {
        assert_eq!(split("aaaa\nbbbb", 6), vec!["aaaa", "bbbb"]);
        assert_eq!(split("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        assert_eq!(split("abcdefgh", 3), vec!["abc", "def", "gh"]);
    }

    #[test]
    fn emoji_count_as_two_and_are_never_cut_in_half() {
        let pieces = split(&"😀".repeat(5), 4);
        assert_eq!(pieces, vec!["😀😀", "😀😀", "😀"]);
    }

    proptest! {
        #[test]
        fn every_piece_fits_and_no_word_is_lost(text in "[a-z😀中 \n]{0,300}", limit in 2usize..40) {
            let pieces = split(&text, limit);
            for p in &pieces {
                prop_assert!(telegram_len(p) <= limit);
                prop_assert!(!p.trim().is_empty());
            }
            let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<String>();
            prop_assert_eq!(words(&pieces.join(" ")), words(&text));
        }
    }
}
