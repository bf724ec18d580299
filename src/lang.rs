//! The two languages the bot speaks, and how it picks one for a reply.
//!
//! Order of precedence (see [`choose`]): a language pinned with `/lang`, then
//! the script of the message itself, then the chat's last language, then
//! Telegram's `language_code`, then English.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language the bot can answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Every supported language, in a stable order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The short code used in content files, the CLI and JSON output.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Reads a Telegram `language_code` such as `zh-hans` or `en-US`; other
    /// languages give `None`, so the caller falls back to its default.
    pub fn from_language_code(code: &str) -> Option<Lang> {
        let primary = code
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text was not `en` or `zh`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}` (expected `en` or `zh`)")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Lang::En),
            "zh" | "cn" | "chinese" | "中文" => Ok(Lang::Zh),
            other => Err(UnknownLang(other.to_string())),
        }
    }
}

/// True for characters of the CJK ideograph blocks (the script of Chinese).
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}')
}

/// The language a message is written in, judged by its script: any Han
/// character makes it Chinese (a Chinese message often carries Latin words
/// such as "Alipay"), Latin letters alone make it English, and a message with
/// neither (digits, emoji, punctuation) says nothing.
pub fn detect_script(text: &str) -> Option<Lang> {
    let mut latin = false;
    for c in text.chars() {
        if is_han(c) {
            return Some(Lang::Zh);
        }
        if c.is_ascii_alphabetic() {
            latin = true;
        }
    }
    latin.then_some(Lang::En)
}

/// Everything known about a chat that bears on the reply language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LangHints {
    /// Pinned by the customer with `/lang`.
    pub pinned: Option<Lang>,
    /// The language of the chat's previous reply.
    pub last: Option<Lang>,
    /// From Telegram's `language_code`, already parsed.
    pub client: Option<Lang>,
}

/// Picks the reply language for `text` given what the chat tells us.
pub fn choose(text: &str, hints: LangHints) -> Lang {
    hints
        .pinned
        .or_else(|| detect_script(text))
        .or(hints.last)
        .or(hints.client)
        .unwrap_or(Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_with_any_han_character_is_chinese() {
        assert_eq!(detect_script("怎么关闭借呗"), Some(Lang::Zh));
        assert_eq!(detect_script("Alipay 借呗 close"), Some(Lang::Zh));
    }

    #[test]
    fn latin_letters_alone_are_english_and_pinyin_counts_as_latin() {
        assert_eq!(detect_script("how do I close jiebei"), Some(Lang::En));
        assert_eq!(detect_script("zhima fen"), Some(Lang::En));
    }

    #[test]
    fn digits_and_emoji_say_nothing_about_the_language() {
        assert_eq!(detect_script("12345 🙂 !!"), None);
        assert_eq!(detect_script(""), None);
    }

    #[test]
    fn a_pinned_language_wins_over_the_script() {
        let hints = LangHints {
            pinned: Some(Lang::En),
            ..Default::default()
        };
        assert_eq!(choose("关闭借呗", hints), Lang::En);
    }

    #[test]
    fn without_script_the_last_language_then_the_client_then_english_decide() {
        let last = LangHints {
            last: Some(Lang::Zh),
            client: Some(Lang::En),
            pinned: None,
        };
        assert_eq!(choose("1", last), Lang::Zh);
        let client = LangHints {
            client: Some(Lang::Zh),
            ..Default::default()
        };
        assert_eq!(choose("👍", client), Lang::Zh);
        assert_eq!(choose("👍", LangHints::default()), Lang::En);
    }

    #[test]
    fn the_script_wins_over_the_last_language() {
        let hints = LangHints {
            last: Some(Lang::Zh),
            ..Default::default()
        };
        assert_eq!(choose("close my account", hints), Lang::En);
    }

    #[test]
    fn telegram_language_codes_map_to_languages() {
        assert_eq!(Lang::from_language_code("zh-hans"), Some(Lang::Zh));
        assert_eq!(Lang::from_language_code("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_language_code("ru"), None);
    }
}
