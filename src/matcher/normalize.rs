//! Text normalisation: the one canonical spelling every message and every
//! content phrasing is reduced to before tokenising.

use unicode_normalization::UnicodeNormalization;

/// How many characters of a message the matcher looks at. Longer messages
/// are cut here, before any other work, so a 100 KB paste costs the same as
/// a 1,000-character one; a question about Jiebei is never that long, and
/// whatever it asks is said in its first lines.
pub const MAX_CHARS: usize = 1_000;

/// Normalises `text` for matching: keeps the first [`MAX_CHARS`] characters,
/// applies Unicode NFKC (which also turns full-width letters, digits and the
/// ideographic space into their ASCII forms), folds case, drops zero-width,
/// format and control characters and apostrophes (so `jie\u{200B}bei` and
/// `don't` stay one word), turns every other character that is neither a
/// letter nor a digit (ASCII and CJK punctuation, symbols, emoji, lone
/// combining marks) into a space, and collapses runs of spaces into one.
///
/// The result has no leading or trailing space.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CHARS * 4));
    // True when the last character written was a space, or nothing was
    // written yet: no leading spaces, no runs of spaces.
    let mut after_space = true;
    let head = text.chars().take(MAX_CHARS);
    for c in head.nfkc().flat_map(char::to_lowercase) {
        if is_invisible(c) {
            continue;
        }
        if c.is_alphanumeric() {
            out.push(c);
            after_space = false;
        } else if !after_space {
            out.push(' ');
            after_space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Characters removed without leaving a word break: zero-width and other
/// format characters, controls other than whitespace, and apostrophes.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\''
            | '\u{2019}'
    ) || (c.is_control() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_full_width_letters_fold_to_plain_lowercase() {
        assert_eq!(normalize("ＪＩＥＢＥＩ　Close"), "jiebei close");
    }

    #[test]
    fn ascii_and_chinese_punctuation_become_single_spaces() {
        assert_eq!(normalize("怎么关闭借呗？！"), "怎么关闭借呗");
        assert_eq!(normalize("close,,, my -- jiebei!!"), "close my jiebei");
        assert_eq!(normalize("借呗，关闭。"), "借呗 关闭");
    }

    #[test]
    fn zero_width_and_control_characters_do_not_split_words() {
        assert_eq!(normalize("jie\u{200B}bei\u{0007}"), "jiebei");
    }

    #[test]
    fn apostrophes_join_rather_than_split() {
        assert_eq!(
            normalize("I don’t know, Jiebei's limit"),
            "i dont know jiebeis limit"
        );
    }

    #[test]
    fn whitespace_of_every_kind_collapses() {
        assert_eq!(
            normalize("  close\t\n my\u{3000}jiebei  "),
            "close my jiebei"
        );
    }

    #[test]
    fn emoji_and_lone_combining_marks_vanish() {
        assert_eq!(normalize("🙂🙂 \u{0301}"), "");
    }

    #[test]
    fn only_the_first_thousand_characters_are_read() {
        let long = "a".repeat(5_000);
        assert_eq!(normalize(&long).chars().count(), MAX_CHARS);
    }
}
