//! Whatever a customer sends, the matcher answers something and never
//! panics: arbitrary Unicode, huge pastes, emoji, invisible and control
//! characters, mixed scripts, lone combining marks, in both languages.

use std::sync::OnceLock;

use jiebei_bot::content::Content;
use jiebei_bot::lang::Lang;
use jiebei_bot::matcher::{Match, Matcher};
use proptest::prelude::*;

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(&Content::builtin().expect("the shipped content loads")))
}

/// Characters that have broken text handling before: invisible ones,
/// controls, combining marks without a base, emoji with joiners and
/// selectors, full-width forms, CJK, Latin and punctuation of both scripts.
const NASTY: &[char] = &[
    '\u{0}',
    '\u{7}',
    '\u{1b}',
    '\t',
    '\n',
    '\r',
    '\u{85}',
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{200E}',
    '\u{202E}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{00AD}',
    '\u{0301}',
    '\u{0308}',
    '\u{20DD}',
    '\u{FE0F}',
    '😀',
    '👍',
    '🏳',
    '\u{1F3FB}',
    'Ａ',
    'ｚ',
    '１',
    '\u{3000}',
    '？',
    '！',
    '。',
    '，',
    '借',
    '呗',
    '关',
    '闭',
    '注',
    '销',
    '吗',
    '怎',
    '么',
    'j',
    'i',
    'e',
    'b',
    'c',
    'l',
    'o',
    's',
    '?',
    '!',
    '\'',
    '’',
    '-',
    ' ',
    'ß',
    'İ',
    'ﬁ',
    '\u{D7FF}',
    '\u{E000}',
    '\u{10FFFF}',
];

fn nasty_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(NASTY), 0..max)
        .prop_map(|cs| cs.into_iter().collect())
}

fn lang() -> impl Strategy<Value = Lang> {
    prop::sample::select(vec![Lang::En, Lang::Zh])
}

/// Runs both entry points and checks what every caller relies on.
fn check(text: &str, lang: Lang) {
    let outcome = matcher().classify(text, lang);
    let explanation = matcher().explain(text, lang);
    assert_eq!(explanation.outcome, outcome);
    match &outcome {
        Match::Answer { confidence, .. } | Match::Action { confidence, .. } => {
            assert!((0.0..=1.0).contains(confidence), "{confidence}");
        }
        Match::Clarify { candidates } => assert!((1..=3).contains(&candidates.len())),
        Match::Fallback => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_unicode_text_is_classified_without_panicking(text in any::<String>(), lang in lang()) {
        check(&text, lang);
    }

    #[test]
    fn invisible_control_combining_and_mixed_script_text_is_classified(
        text in nasty_text(400),
        lang in lang(),
    ) {
        check(&text, lang);
    }

    #[test]
    fn a_100_kb_paste_is_classified(unit in nasty_text(40), lang in lang()) {
        let unit = if unit.is_empty() { "借呗 close ".to_string() } else { unit };
        let text = unit.repeat(100_000 / unit.len() + 1);
        prop_assert!(text.len() >= 100_000);
        check(&text, lang);
    }
}

#[test]
fn edge_case_messages_are_classified_in_both_languages() {
    let cases = [
        String::new(),
        " ".repeat(100_000),
        "😀".repeat(25_000),
        "\u{200B}".repeat(1_000),
        "\u{0301}\u{0308}\u{20DD}".into(),
        "借呗close注销jiebei？？".into(),
        "a".repeat(100_000),
        "借".repeat(100_000),
    ];
    for text in &cases {
        for lang in [Lang::En, Lang::Zh] {
            check(text, lang);
        }
    }
}
