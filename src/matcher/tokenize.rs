//! Tokenising normalised text for one language: stemmed Latin words, jieba
//! words plus character bigrams (where segmentation is unsure) for Chinese, synonym phrases folded into
//! their group's canonical token, stopwords dropped.
//!
//! Both scripts are handled in either language: a Chinese message often
//! carries "Alipay" or "jiebei", an English one sometimes "借呗".

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use jieba_rs::Jieba;

use super::normalize::normalize;
use super::stem::stem;
use crate::lang::is_han;

/// What a token stands for, which decides how much it weighs when the
/// message is unexplained by the content (see `score`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A word: a stemmed Latin word or a jieba word.
    Word,
    /// The canonical form of a synonym group.
    Synonym,
    /// A Chinese character bigram, made to survive segmentation differences
    /// (see `han_plain`).
    Gram,
}

/// One token of a message or phrasing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token's text: a stem, a jieba word, a canonical synonym (which
    /// may contain a space, as in `turn off`) or a bigram.
    pub text: String,
    /// What it stands for.
    pub kind: Kind,
}

/// The shared segmenter. Building one loads a 350,000-word dictionary, so it
/// is built once per process, on first use, and shared by every matcher.
pub fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// A tokeniser for one language, built from that language's synonym groups
/// and stopwords.
#[derive(Debug, Default)]
pub struct Tokenizer {
    /// Stemmed Latin phrase (words joined by one space) → canonical token.
    latin: HashMap<String, String>,
    /// Longest Latin phrase, in words.
    latin_max_words: usize,
    /// Chinese (or mixed) phrase → canonical token.
    han: HashMap<String, String>,
    /// The longest Chinese phrase, in characters.
    han_max_chars: usize,
    /// Stemmed Latin stopwords and Chinese stopwords.
    stopwords: HashSet<String>,
}

impl Tokenizer {
    /// Builds a tokeniser from synonym groups (the first of each group is
    /// canonical) and stopwords, all as written in content.
    pub fn new(synonyms: &[Vec<String>], stopwords: &[String]) -> Tokenizer {
        let mut t = Tokenizer::default();
        for word in stopwords {
            let n = normalize(word);
            if n.chars().any(is_han) {
                t.stopwords.insert(n);
            } else {
                t.stopwords
                    .extend(n.split(' ').filter(|w| !w.is_empty()).map(stem));
            }
        }
        for group in synonyms {
            let Some(canonical) = group.first().map(|c| t.phrase_key(c)) else {
                continue;
            };
            if canonical.is_empty() {
                continue;
            }
            for member in group {
                let key = t.phrase_key(member);
                if key.is_empty() {
                    continue;
                }
                if key.chars().any(is_han) {
                    t.han.entry(key).or_insert_with(|| canonical.clone());
                } else {
                    t.latin_max_words = t.latin_max_words.max(key.split(' ').count());
                    t.latin.entry(key).or_insert_with(|| canonical.clone());
                }
            }
        }
        t.han_max_chars = t.han.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        t
    }

    /// The key a synonym member is stored under: normalised, Latin words
    /// stemmed, Chinese text without spaces.
    fn phrase_key(&self, phrase: &str) -> String {
        let n = normalize(phrase);
        if n.chars().any(is_han) {
            n.replace(' ', "")
        } else {
            n.split(' ').map(stem).collect::<Vec<_>>().join(" ")
        }
    }

    /// True when `word` (stemmed, or a Chinese word) is a stopword.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }

    /// The canonical token of a single stemmed Latin word that belongs to a
    /// synonym group (used to offer synonym spellings to fuzzy matching).
    pub fn single_word_synonyms(&self) -> impl Iterator<Item = (&str, &str)> {
        self.latin
            .iter()
            .filter(|(k, _)| !k.contains(' '))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Normalises and tokenises `text`. Tokens come in message order, each
    /// text once.
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        self.tokenize_normalized(&normalize(text))
    }

    /// Tokenises text that is already normalised.
    pub fn tokenize_normalized(&self, normalized: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut latin: Vec<String> = Vec::new();
        for chunk in normalized.split(' ') {
            for (is_cjk, run) in script_runs(chunk) {
                if is_cjk {
                    self.flush_latin(&mut latin, &mut out);
                    self.han_run(run, &mut out);
                } else {
                    latin.push(stem(run));
                }
            }
        }
        self.flush_latin(&mut latin, &mut out);
        dedup(out)
    }

    /// Folds synonym phrases in a run of Latin words, drops stopwords, then
    /// folds again (so "turn it off" meets "turn off" when "it" is a
    /// stopword), and emits the result.
    fn flush_latin(&self, words: &mut Vec<String>, out: &mut Vec<Token>) {
        if words.is_empty() {
            return;
        }
        let folded = self.fold_latin(words.drain(..).map(|w| (w, Kind::Word)));
        let kept = folded
            .into_iter()
            .filter(|(w, kind)| *kind == Kind::Synonym || !self.is_stopword(w));
        let refolded = self.fold_latin(kept);
        out.extend(
            refolded
                .into_iter()
                .map(|(text, kind)| Token { text, kind }),
        );
    }

    /// Replaces the longest synonym phrase starting at each word with its
    /// canonical token.
    fn fold_latin(&self, words: impl Iterator<Item = (String, Kind)>) -> Vec<(String, Kind)> {
        let words: Vec<(String, Kind)> = words.collect();
        if self.latin.is_empty() {
            return words;
        }
        let mut out = Vec::with_capacity(words.len());
        let mut key = String::new();
        let mut i = 0;
        'outer: while i < words.len() {
            let longest = self.latin_max_words.min(words.len() - i);
            for n in (1..=longest).rev() {
                if words[i..i + n].iter().any(|(_, k)| *k == Kind::Synonym) {
                    continue;
                }
                key.clear();
                for (j, (w, _)) in words[i..i + n].iter().enumerate() {
                    if j > 0 {
                        key.push(' ');
                    }
                    key.push_str(w);
                }
                if let Some(canonical) = self.latin.get(&key) {
                    out.push((canonical.clone(), Kind::Synonym));
                    i += n;
                    continue 'outer;
                }
            }
            out.push(words[i].clone());
            i += 1;
        }
        out
    }

    /// Tokenises a run of Chinese characters: jieba cuts it into words;
    /// the longest run of consecutive words that spells a synonym phrase
    /// becomes its canonical token (so a phrase only matches on word
    /// boundaries: `关` in `关掉` is "close", in `关于` it is not); the words
    /// between phrases go to `han_plain`.
    fn han_run(&self, run: &str, out: &mut Vec<Token>) {
        let words: Vec<&str> = jieba()
            .cut(run, false)
            .into_iter()
            .map(|t| t.word)
            .collect();
        let max_chars = self.han_max_chars;
        let mut plain: Vec<&str> = Vec::new();
        let mut key = String::new();
        let mut i = 0;
        while i < words.len() {
            key.clear();
            let mut chars = 0;
            let mut found: Option<(usize, &String)> = None;
            for (j, word) in words.iter().enumerate().skip(i) {
                chars += word.chars().count();
                if chars > max_chars {
                    break;
                }
                key.push_str(word);
                if let Some(canonical) = self.han.get(&key) {
                    found = Some((j, canonical));
                }
            }
            match found {
                Some((j, canonical)) => {
                    self.han_plain(&plain, out);
                    plain.clear();
                    out.push(Token {
                        text: canonical.clone(),
                        kind: Kind::Synonym,
                    });
                    i = j + 1;
                }
                None => {
                    plain.push(words[i]);
                    i += 1;
                }
            }
        }
        self.han_plain(&plain, out);
    }

    /// Emits jieba words that are not part of a synonym phrase, stopwords
    /// dropped, and character bigrams where the segmentation is least sure:
    /// inside words of four characters or more (`人民银行` also gives `人民`,
    /// `民银`, `银行`) and across runs of single characters, which is
    /// how jieba cuts a word it does not know (`花|呗` gives `花呗`).
    /// Bigrams across every word boundary, or inside three-character words,
    /// were tried and cost accuracy: they mostly count again what the words
    /// already say (`怎么样` would weigh as `怎么样`, `怎么` and `么样`).
    fn han_plain(&self, words: &[&str], out: &mut Vec<Token>) {
        let mut singles = String::new();
        for &word in words {
            let single = word.chars().nth(1).is_none();
            if !single || self.is_stopword(word) {
                push_bigrams(&singles, out);
                singles.clear();
            }
            if self.is_stopword(word) {
                continue;
            }
            out.push(Token {
                text: word.to_string(),
                kind: Kind::Word,
            });
            if single {
                singles.push_str(word);
            } else if word.chars().nth(3).is_some() {
                push_bigrams(word, out);
            }
        }
        push_bigrams(&singles, out);
    }
}

/// Emits the character bigrams of `text`.
fn push_bigrams(text: &str, out: &mut Vec<Token>) {
    let mut prev: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if let Some(start) = prev {
            out.push(Token {
                text: text[start..i + c.len_utf8()].to_string(),
                kind: Kind::Gram,
            });
        }
        prev = Some(i);
    }
}

/// Splits a space-free chunk into maximal runs of Chinese and of other
/// characters, in order, flagging the Chinese ones.
fn script_runs(chunk: &str) -> impl Iterator<Item = (bool, &str)> {
    let mut rest = chunk;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let cjk = is_han(first);
        let end = rest
            .char_indices()
            .find(|&(_, c)| is_han(c) != cjk)
            .map_or(rest.len(), |(i, _)| i);
        let (run, tail) = rest.split_at(end);
        rest = tail;
        Some((cjk, run))
    })
}

/// Keeps the first occurrence of each token text; a word beats a bigram of
/// the same text.
fn dedup(tokens: Vec<Token>) -> Vec<Token> {
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(tokens.len());
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for token in tokens {
        match seen.get(&token.text) {
            Some(&at) => {
                if out[at].kind == Kind::Gram && token.kind != Kind::Gram {
                    out[at].kind = token.kind;
                }
            }
            None => {
                seen.insert(token.text.clone(), out.len());
                out.push(token);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(gs: &[&[&str]]) -> Vec<Vec<String>> {
        gs.iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    fn words(ws: &[&str]) -> Vec<String> {
        ws.iter().map(|s| s.to_string()).collect()
    }

    fn texts(t: &Tokenizer, s: &str) -> Vec<String> {
        t.tokenize(s).into_iter().map(|t| t.text).collect()
    }

    fn english() -> Tokenizer {
        Tokenizer::new(
            &groups(&[
                &["turn off", "close", "shut down", "disable"],
                &["cancel", "log out", "deregister"],
                &["jiebei", "ant credit pay", "借呗"],
            ]),
            &words(&["the", "my", "it", "i", "a"]),
        )
    }

    #[test]
    fn multi_word_synonyms_fold_to_their_canonical_token() {
        let t = english();
        assert_eq!(
            texts(&t, "Shut down my Ant Credit Pay"),
            ["turn off", "jiebei"]
        );
        assert_eq!(texts(&t, "log out of jiebei"), ["cancel", "of", "jiebei"]);
    }

    #[test]
    fn inflected_synonyms_still_fold() {
        let t = english();
        assert_eq!(texts(&t, "closing"), ["turn off"]);
        assert_eq!(texts(&t, "cancelled"), ["cancel"]);
    }

    #[test]
    fn a_stopword_inside_a_phrase_does_not_hide_it() {
        let t = english();
        assert_eq!(texts(&t, "turn it off"), ["turn off"]);
    }

    #[test]
    fn question_words_survive_when_not_listed_as_stopwords() {
        let t = english();
        assert_eq!(texts(&t, "How do I close it?"), ["how", "do", "turn off"]);
    }

    #[test]
    fn chinese_is_cut_into_words_and_bigrams_where_segmentation_is_unsure() {
        let t = Tokenizer::new(&groups(&[&["关闭", "关掉"]]), &words(&["的", "我"]));
        let got = texts(&t, "我的花呗");
        assert!(got.contains(&"花呗".to_string()), "{got:?}");
        assert!(!got.iter().any(|w| w.contains('的')), "{got:?}");
        let got = texts(&t, "人民银行");
        assert!(got.contains(&"人民银行".to_string()), "{got:?}");
        assert!(got.contains(&"民银".to_string()), "{got:?}");
        let got = texts(&t, "怎么样");
        assert_eq!(got, ["怎么样"]);
        assert!(t.tokenize("我的").is_empty());
        assert_eq!(texts(&t, "关掉"), ["关闭"]);
    }

    #[test]
    fn mixed_scripts_are_both_tokenised() {
        let t = english();
        assert_eq!(texts(&t, "close 借呗 now"), ["turn off", "jiebei", "now"]);
        let zh = Tokenizer::new(&groups(&[&["借呗", "jiebei"]]), &[]);
        assert_eq!(texts(&zh, "jiebei"), ["借呗"]);
    }

    #[test]
    fn empty_and_symbol_only_text_gives_no_tokens() {
        let t = english();
        assert!(t.tokenize("").is_empty());
        assert!(t.tokenize("?!🙂").is_empty());
    }
}
