//! Turns the raw YAML files into checked [`Content`]: `TryFrom` in spirit,
//! collecting every problem instead of stopping at the first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::de::DeserializeOwned;
use time::macros::format_description;
use time::Date;

use super::error::{ContentError, Problems};
use super::keys::REQUIRED_TEXTS;
use super::model::*;
use super::raw::*;
use crate::lang::Lang;

/// The files a content folder holds.
pub const FILES: [&str; 6] = [
    "faq.yaml",
    "intents.yaml",
    "topics.yaml",
    "matcher.yaml",
    "ui.yaml",
    "closure.yaml",
];

/// The longest text Telegram accepts in one message, in UTF-16 code units.
pub const TELEGRAM_MAX_TEXT: usize = 4096;

/// The content shipped inside the binary.
const BUILTIN: [(&str, &str); 6] = [
    ("faq.yaml", include_str!("../../content/faq.yaml")),
    ("intents.yaml", include_str!("../../content/intents.yaml")),
    ("topics.yaml", include_str!("../../content/topics.yaml")),
    ("matcher.yaml", include_str!("../../content/matcher.yaml")),
    ("ui.yaml", include_str!("../../content/ui.yaml")),
    ("closure.yaml", include_str!("../../content/closure.yaml")),
];

impl Content {
    /// The content compiled into the binary.
    pub fn builtin() -> Result<Content, ContentError> {
        Content::parse("content", &BUILTIN)
    }

    /// Loads and checks the six files of an operator's content folder.
    pub fn load_dir(dir: &Path) -> Result<Content, ContentError> {
        let label = dir.display().to_string();
        let mut texts = Vec::new();
        let mut problems = Problems::default();
        for name in FILES {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => texts.push((name, text)),
                Err(e) => problems.add(
                    &path.display().to_string(),
                    None,
                    None,
                    format!("cannot read: {e}"),
                ),
            }
        }
        problems.finish(())?;
        let borrowed: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
        Content::parse(&label, &borrowed)
    }

    /// Checks content given as `(file name, YAML text)` pairs; `dir` only
    /// names the files in messages (`content/faq.yaml`).
    pub fn parse(dir: &str, files: &[(&str, &str)]) -> Result<Content, ContentError> {
        let mut p = Problems::default();
        let path = |name: &str| format!("{}/{name}", dir.trim_end_matches('/'));
        let source = |name: &str| files.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);

        let faq: Option<RawFaqFile> = read(&mut p, &path("faq.yaml"), source("faq.yaml"));
        let intents: Option<RawIntentFile> =
            read(&mut p, &path("intents.yaml"), source("intents.yaml"));
        let topics: Option<RawTopicFile> =
            read(&mut p, &path("topics.yaml"), source("topics.yaml"));
        let matcher: Option<RawMatcherFile> =
            read(&mut p, &path("matcher.yaml"), source("matcher.yaml"));
        let ui: Option<RawTextFile> = read(&mut p, &path("ui.yaml"), source("ui.yaml"));
        let closure: Option<RawTextFile> =
            read(&mut p, &path("closure.yaml"), source("closure.yaml"));
        let (Some(faq), Some(intents), Some(topics), Some(matcher), Some(ui), Some(closure)) =
            (faq, intents, topics, matcher, ui, closure)
        else {
            return p.finish(Content::empty());
        };

        // Links are checked against every declared id, so one broken entry
        // is reported once rather than again by each entry pointing at it.
        let declared: BTreeSet<String> = faq.entries.iter().map(|e| e.id.clone()).collect();
        let faqs = check_faqs(&mut p, &path("faq.yaml"), faq, &declared);
        let intents = check_intents(&mut p, &path("intents.yaml"), intents);
        let (topics, window) = check_topics(&mut p, &path("topics.yaml"), topics, &declared);
        let matcher = check_matcher(&mut p, &path("matcher.yaml"), matcher);
        let texts = check_texts(&mut p, &path, [("ui.yaml", ui), ("closure.yaml", closure)]);
        let content = Content {
            faqs,
            intents,
            topics,
            topic_window_days: window,
            matcher,
            texts,
        };
        p.finish(content)
    }

    fn empty() -> Content {
        let per = |t: Thresholds| PerLang { en: t, zh: t };
        Content {
            faqs: Vec::new(),
            intents: Vec::new(),
            topics: Vec::new(),
            topic_window_days: 0,
            matcher: MatcherSettings {
                thresholds: per(Thresholds {
                    answer: 1.0,
                    clarify: 1.0,
                    margin: 0.0,
                }),
                synonyms: PerLang::default(),
                stopwords: PerLang::default(),
                question_openers: PerLang::default(),
                request_openers: PerLang::default(),
                product: PerLang::default(),
                other_products: PerLang::default(),
                greetings: PerLang::default(),
                thanks: PerLang::default(),
            },
            texts: BTreeMap::new(),
        }
    }
}

/// Parses one file, recording a missing file or bad YAML (with its line).
fn read<T: DeserializeOwned>(p: &mut Problems, file: &str, text: Option<&str>) -> Option<T> {
    let Some(text) = text else {
        p.add(file, None, None, "file is missing");
        return None;
    };
    match serde_yaml::from_str(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = strip_location(&e.to_string());
            match e.location() {
                Some(loc) => p.add(
                    file,
                    None,
                    None,
                    format!("line {} column {}: {msg}", loc.line(), loc.column()),
                ),
                None => p.add(file, None, None, format!("invalid YAML: {msg}")),
            }
            None
        }
    }
}

/// serde_yaml puts " at line L column C" inside its messages; the location
/// is printed first, so it is taken out of the message.
fn strip_location(msg: &str) -> String {
    let mut out = String::new();
    let mut rest = msg;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let skip_digits = |s: &str| s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let after_line = &after[after.len() - skip_digits(after)..];
        rest = match after_line.strip_prefix(" column ") {
            Some(col) => &col[col.len() - skip_digits(col)..],
            None => after_line,
        };
    }
    out.push_str(rest);
    out
}

/// Length as Telegram counts it.
fn telegram_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn both<T>(
    p: &mut Problems,
    file: &str,
    entry: &str,
    field: &str,
    raw: RawPerLang<T>,
) -> Option<PerLang<T>> {
    let field_of = |lang: Lang| {
        if field.is_empty() {
            lang.code().to_string()
        } else {
            format!("{}.{field}", lang.code())
        }
    };
    if raw.en.is_none() {
        p.add(
            file,
            Some(entry),
            Some(&field_of(Lang::En)),
            "language `en` is missing",
        );
    }
    if raw.zh.is_none() {
        p.add(
            file,
            Some(entry),
            Some(&field_of(Lang::Zh)),
            "language `zh` is missing",
        );
    }
    Some(PerLang {
        en: raw.en?,
        zh: raw.zh?,
    })
}

fn non_empty_list(p: &mut Problems, file: &str, entry: &str, field: &str, items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        if item.trim().is_empty() {
            p.add(
                file,
                Some(entry),
                Some(&format!("{field}[{i}]")),
                "is empty",
            );
        }
    }
}

fn check_faqs(
    p: &mut Problems,
    file: &str,
    raw: RawFaqFile,
    declared: &BTreeSet<String>,
) -> Vec<Faq> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (n, e) in raw.entries.into_iter().enumerate() {
        let entry_name = if e.id.is_empty() {
            format!("#{}", n + 1)
        } else {
            e.id.clone()
        };
        let id = match FaqId::parse(&e.id) {
            Ok(id) => id,
            Err(why) => {
                p.add(file, Some(&entry_name), Some("id"), why);
                continue;
            }
        };
        if !seen.insert(e.id.clone()) {
            p.add(file, Some(&e.id), Some("id"), "duplicate id");
            continue;
        }
        let mut related = Vec::new();
        for r in &e.related {
            if !declared.contains(r) {
                p.add(
                    file,
                    Some(&e.id),
                    Some("related"),
                    format!("`{r}` is not the id of any entry"),
                );
            } else if r == &e.id {
                p.add(
                    file,
                    Some(&e.id),
                    Some("related"),
                    "an entry cannot be related to itself",
                );
            } else if let Ok(rid) = FaqId::parse(r) {
                related.push(rid);
            }
        }
        let start = match e.start.as_deref() {
            None => None,
            Some(s) => match ActionId::parse(s) {
                Some(a) => Some(a),
                None => {
                    p.add(
                        file,
                        Some(&e.id),
                        Some("start"),
                        format!("`{s}` is not an action (turn-off, cancel, agent, stop)"),
                    );
                    None
                }
            },
        };
        let Some(text) = both(p, file, &e.id, "", RawPerLang { en: e.en, zh: e.zh }) else {
            continue;
        };
        for lang in Lang::ALL {
            let t = text.get(lang);
            let f = |name: &str| format!("{}.{name}", lang.code());
            if t.question.trim().is_empty() {
                p.add(file, Some(&e.id), Some(&f("question")), "is empty");
            }
            if t.answer.trim().is_empty() {
                p.add(file, Some(&e.id), Some(&f("answer")), "is empty");
            }
            let len = telegram_len(t.answer.trim());
            if len > TELEGRAM_MAX_TEXT {
                p.add(
                    file,
                    Some(&e.id),
                    Some(&f("answer")),
                    format!("is {len} characters, more than Telegram's {TELEGRAM_MAX_TEXT} for one message"),
                );
            }
            non_empty_list(p, file, &e.id, &f("alternates"), &t.alternates);
            non_empty_list(p, file, &e.id, &f("keywords"), &t.keywords);
        }
        let trim = |t: RawFaqText| FaqText {
            question: t.question.trim().to_string(),
            alternates: t
                .alternates
                .into_iter()
                .map(|s| s.trim().to_string())
                .collect(),
            keywords: t
                .keywords
                .into_iter()
                .map(|s| s.trim().to_string())
                .collect(),
            answer: t.answer.trim().to_string(),
        };
        out.push(Faq {
            id,
            related,
            start,
            text: PerLang {
                en: trim(text.en),
                zh: trim(text.zh),
            },
        });
    }
    out
}

fn check_intents(p: &mut Problems, file: &str, raw: RawIntentFile) -> Vec<Intent> {
    let mut out: Vec<Intent> = Vec::new();
    for e in raw.intents {
        let Some(id) = ActionId::parse(&e.id) else {
            p.add(
                file,
                Some(&e.id),
                Some("id"),
                "is not an action (turn-off, cancel, agent, stop)",
            );
            continue;
        };
        if out.iter().any(|i| i.id == id) {
            p.add(file, Some(&e.id), Some("id"), "duplicate id");
            continue;
        }
        let Some(text) = both(p, file, &e.id, "", RawPerLang { en: e.en, zh: e.zh }) else {
            continue;
        };
        for lang in Lang::ALL {
            let t = text.get(lang);
            let field = format!("{}.examples", lang.code());
            if t.examples.is_empty() {
                p.add(file, Some(&e.id), Some(&field), "has no examples");
            }
            non_empty_list(p, file, &e.id, &field, &t.examples);
        }
        let trimmed = |v: Vec<String>| {
            v.into_iter()
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        };
        out.push(Intent {
            id,
            examples: PerLang {
                en: trimmed(text.en.examples),
                zh: trimmed(text.zh.examples),
            },
            keywords: PerLang {
                en: trimmed(text.en.keywords),
                zh: trimmed(text.zh.keywords),
            },
        });
    }
    for id in ActionId::ALL {
        if !out.iter().any(|i| i.id == id) {
            p.add(file, Some(id.as_str()), None, "intent is missing");
        }
    }
    out
}

fn check_topics(
    p: &mut Problems,
    file: &str,
    raw: RawTopicFile,
    declared: &BTreeSet<String>,
) -> (Vec<Topic>, u32) {
    let window = match raw.window_days {
        None => 10,
        Some(d) if (1..=366).contains(&d) => d as u32,
        Some(d) => {
            p.add(
                file,
                None,
                Some("window_days"),
                format!("{d} is out of range (1 to 366)"),
            );
            10
        }
    };
    let mut out: Vec<Topic> = Vec::new();
    for e in raw.topics {
        if FaqId::parse(&e.id).is_err() {
            p.add(
                file,
                Some(&e.id),
                Some("id"),
                "must be lowercase letters, digits and single dashes",
            );
            continue;
        }
        if out.iter().any(|t| t.id == e.id) {
            p.add(file, Some(&e.id), Some("id"), "duplicate id");
            continue;
        }
        let date = match e.date.as_deref().map(parse_date) {
            Some(Ok(d)) => Some(d),
            Some(Err(())) => {
                p.add(
                    file,
                    Some(&e.id),
                    Some("date"),
                    "is not a date in the form YYYY-MM-DD",
                );
                None
            }
            None => {
                p.add(file, Some(&e.id), Some("date"), "is missing");
                None
            }
        };
        let related = match e.related {
            None => None,
            Some(r) => match FaqId::parse(&r) {
                Ok(id) if declared.contains(&r) => Some(id),
                _ => {
                    p.add(
                        file,
                        Some(&e.id),
                        Some("related"),
                        format!("`{r}` is not the id of any FAQ entry"),
                    );
                    None
                }
            },
        };
        let Some(text) = both(p, file, &e.id, "", RawPerLang { en: e.en, zh: e.zh }) else {
            continue;
        };
        for lang in Lang::ALL {
            let t = text.get(lang);
            if t.title.trim().is_empty() {
                p.add(
                    file,
                    Some(&e.id),
                    Some(&format!("{}.title", lang.code())),
                    "is empty",
                );
            }
            if t.body.trim().is_empty() {
                p.add(
                    file,
                    Some(&e.id),
                    Some(&format!("{}.body", lang.code())),
                    "is empty",
                );
            }
        }
        let Some(date) = date else { continue };
        let trim = |t: RawTopicText| TopicText {
            title: t.title.trim().to_string(),
            body: t.body.trim().to_string(),
        };
        out.push(Topic {
            id: e.id,
            date,
            related,
            text: PerLang {
                en: trim(text.en),
                zh: trim(text.zh),
            },
        });
    }
    out.sort_by_key(|t| std::cmp::Reverse(t.date));
    (out, window)
}

fn parse_date(s: &str) -> Result<Date, ()> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| ())
}

fn check_matcher(p: &mut Problems, file: &str, raw: RawMatcherFile) -> MatcherSettings {
    let fallback = Thresholds {
        answer: 1.0,
        clarify: 1.0,
        margin: 0.0,
    };
    let mut per_lang = |lang: Lang, t: Option<RawThresholds>| -> Thresholds {
        let Some(t) = t else {
            p.add(
                file,
                Some("thresholds"),
                Some(lang.code()),
                "language is missing",
            );
            return fallback;
        };
        for (name, v) in [
            ("answer", t.answer),
            ("clarify", t.clarify),
            ("margin", t.margin),
        ] {
            if !(0.0..=1.0).contains(&v) {
                p.add(
                    file,
                    Some("thresholds"),
                    Some(&format!("{}.{name}", lang.code())),
                    format!("{v} is out of range (0 to 1)"),
                );
            }
        }
        if t.clarify > t.answer {
            p.add(
                file,
                Some("thresholds"),
                Some(&format!("{}.clarify", lang.code())),
                format!("{} is above the answer threshold {}", t.clarify, t.answer),
            );
        }
        Thresholds {
            answer: t.answer,
            clarify: t.clarify,
            margin: t.margin,
        }
    };
    let en = per_lang(Lang::En, raw.thresholds.en);
    let zh = per_lang(Lang::Zh, raw.thresholds.zh);
    let groups = |g: Option<Vec<Vec<String>>>| {
        g.unwrap_or_default()
            .into_iter()
            .map(|group| {
                group
                    .into_iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|group| group.len() > 1)
            .collect::<Vec<_>>()
    };
    let words = |w: RawPerLang<Vec<String>>| {
        let trim = |w: Option<Vec<String>>| {
            w.unwrap_or_default()
                .into_iter()
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        };
        PerLang {
            en: trim(w.en),
            zh: trim(w.zh),
        }
    };
    MatcherSettings {
        thresholds: PerLang { en, zh },
        synonyms: PerLang {
            en: groups(raw.synonyms.en),
            zh: groups(raw.synonyms.zh),
        },
        stopwords: words(raw.stopwords),
        question_openers: words(raw.question_openers),
        request_openers: words(raw.request_openers),
        product: words(raw.product),
        other_products: words(raw.other_products),
        greetings: words(raw.greetings),
        thanks: words(raw.thanks),
    }
}

fn check_texts(
    p: &mut Problems,
    path: &dyn Fn(&str) -> String,
    files: [(&str, RawTextFile); 2],
) -> BTreeMap<String, PerLang<String>> {
    let mut out = BTreeMap::new();
    let mut origin: BTreeMap<String, &str> = BTreeMap::new();
    for (name, raw) in files {
        let file = path(name);
        for (key, value) in raw.texts {
            if let Some(first) = origin.get(&key) {
                p.add(
                    &file,
                    Some(&key),
                    None,
                    format!("duplicate text key (also in {first})"),
                );
                continue;
            }
            origin.insert(key.clone(), name);
            let Some(value) = both(p, &file, &key, "", value) else {
                continue;
            };
            for lang in Lang::ALL {
                let text = value.get(lang);
                if text.trim().is_empty() {
                    p.add(&file, Some(&key), Some(lang.code()), "is empty");
                } else if telegram_len(text.trim()) > TELEGRAM_MAX_TEXT {
                    p.add(
                        &file,
                        Some(&key),
                        Some(lang.code()),
                        "is longer than Telegram's 4096 characters for one message",
                    );
                }
            }
            out.insert(
                key,
                PerLang {
                    en: value.en.trim().to_string(),
                    zh: value.zh.trim().to_string(),
                },
            );
        }
    }
    for (name, key, placeholders) in REQUIRED_TEXTS {
        let file = path(name);
        match out.get(*key) {
            None if !origin.contains_key(*key) => p.add(&file, Some(key), None, "text is missing"),
            None => {}
            Some(value) => {
                for lang in Lang::ALL {
                    for ph in *placeholders {
                        if !value.get(lang).contains(&format!("{{{ph}}}")) {
                            p.add(
                                &file,
                                Some(key),
                                Some(lang.code()),
                                format!("must contain the placeholder {{{ph}}}"),
                            );
                        }
                    }
                }
            }
        }
    }
    out
}
