//! Every content validation error, shown with its exact one-line message, and
//! the shipped content passing the same checks.

use jiebei_bot::content::{Content, REQUIRED_TEXTS};

const FAQ: &str = r#"
entries:
  - id: how-to-turn-off
    related: [reopen]
    start: turn-off
    en:
      question: How do I turn off Jiebei?
      alternates: [how to close jiebei]
      keywords: [turn off]
      answer: Open Alipay, go to Jiebei, Settings, Turn off borrowing.
    zh:
      question: 怎么关闭借呗？
      alternates: [借呗怎么关]
      keywords: [关闭]
      answer: 打开支付宝，进入借呗，设置，关闭借呗。
  - id: reopen
    en:
      question: Can I reopen Jiebei?
      answer: You need to apply again and pass review.
    zh:
      question: 关闭后还能再开通吗？
      answer: 需要重新申请并通过审核。
"#;

const INTENTS: &str = r#"
intents:
  - id: turn-off
    en: { examples: [close my jiebei] }
    zh: { examples: [帮我关闭借呗] }
  - id: cancel
    en: { examples: [cancel my jiebei account] }
    zh: { examples: [注销借呗] }
  - id: agent
    en: { examples: [talk to a human] }
    zh: { examples: [转人工] }
  - id: stop
    en: { examples: [never mind] }
    zh: { examples: [算了] }
"#;

const TOPICS: &str = r#"
window_days: 10
topics:
  - id: regulation-news
    date: 2026-11-20
    related: reopen
    en: { title: Regulation, body: Regulators tightened supervision. }
    zh: { title: 监管, body: 监管部门加强了监管。 }
"#;

const MATCHER: &str = r#"
thresholds:
  en: { answer: 0.5, clarify: 0.3, margin: 0.08 }
  zh: { answer: 0.5, clarify: 0.3, margin: 0.08 }
synonyms:
  en: [[turn off, close]]
  zh: [[关闭, 关掉]]
stopwords:
  en: [the]
  zh: [的]
"#;

/// One more well-formed entry with the id `id`.
fn entry(id: &str) -> String {
    format!(
        "  - id: {id}\n    en: {{ question: Q, answer: A }}\n    zh: {{ question: 问, answer: 答 }}\n"
    )
}

/// A text file holding every required key of `file`, placeholders included.
fn texts_for(file: &str) -> String {
    let mut out = String::from("texts:\n");
    for (f, key, placeholders) in REQUIRED_TEXTS {
        if *f != file {
            continue;
        }
        let ph: String = placeholders.iter().map(|p| format!(" {{{p}}}")).collect();
        out.push_str(&format!(
            "  {key}:\n    en: \"{key} text{ph}\"\n    zh: \"{key} 文本{ph}\"\n"
        ));
    }
    out
}

/// The six files of a valid content folder, with `file` replaced by `text`.
fn parse_with(file: &str, text: &str) -> Result<Content, String> {
    let ui = texts_for("ui.yaml");
    let closure = texts_for("closure.yaml");
    let mut files: Vec<(&str, &str)> = vec![
        ("faq.yaml", FAQ),
        ("intents.yaml", INTENTS),
        ("topics.yaml", TOPICS),
        ("matcher.yaml", MATCHER),
        ("ui.yaml", &ui),
        ("closure.yaml", &closure),
    ];
    for f in files.iter_mut() {
        if f.0 == file {
            f.1 = text;
        }
    }
    Content::parse("content", &files).map_err(|e| e.to_string())
}

fn error_for(file: &str, text: &str) -> String {
    parse_with(file, text).expect_err("content with a mistake was accepted")
}

#[test]
fn valid_content_loads_with_both_languages_and_its_links() {
    let c = parse_with("", "").expect("valid content was refused");
    assert_eq!(c.faqs.len(), 2);
    let faq = c.faq_by_str("how-to-turn-off").unwrap();
    assert_eq!(faq.related[0].as_str(), "reopen");
    assert_eq!(faq.text.zh.question, "怎么关闭借呗？");
    assert_eq!(c.topics[0].related.as_ref().unwrap().as_str(), "reopen");
    assert_eq!(
        c.text_with(
            "topics_header",
            jiebei_bot::lang::Lang::En,
            &[("days", "10")]
        ),
        "topics_header text 10"
    );
}

#[test]
fn the_shipped_content_passes_every_check() {
    let c = Content::builtin().unwrap_or_else(|e| panic!("shipped content is invalid:\n{e}"));
    for id in [
        "zhima-credit-impact",
        "limit-after-reopen",
        "history-after-close",
        "outstanding-loans",
        "credit-report-records",
        "reopen",
        "how-to-turn-off",
        "how-to-cancel",
        "turn-off-vs-cancel",
        "regulation",
        "avoid-bad-records",
        "interest-rate",
        "account-security",
    ] {
        let faq = c
            .faq_by_str(id)
            .unwrap_or_else(|| panic!("entry {id} is missing"));
        for lang in jiebei_bot::lang::Lang::ALL {
            assert!(
                faq.text.get(lang).alternates.len() >= 6,
                "{id} has fewer than 6 alternates in {lang}"
            );
        }
    }
    assert_eq!(c.topics.len(), 4, "the seed has four hot topics");
}

#[test]
fn malformed_yaml_is_reported_with_its_line() {
    let bad = "entries:\n  - id: reopen\n   related: []\n";
    assert_eq!(
        error_for("faq.yaml", bad),
        "content/faq.yaml: line 3 column 4: did not find expected '-' indicator, while parsing a block collection"
    );
}

#[test]
fn an_unknown_field_is_reported_with_its_line() {
    let bad = FAQ.replace("    start: turn-off", "    strat: turn-off");
    let err = error_for("faq.yaml", &bad);
    assert!(
        err.starts_with("content/faq.yaml: line 5 column 5: entries[0]: unknown field `strat`"),
        "{err}"
    );
}

#[test]
fn a_duplicate_id_is_refused() {
    let bad = format!("{FAQ}{}", entry("reopen"));
    assert_eq!(
        error_for("faq.yaml", &bad),
        "content/faq.yaml: entry `reopen`: field `id`: duplicate id"
    );
}

#[test]
fn a_related_id_that_does_not_exist_is_refused() {
    let bad = FAQ.replace("related: [reopen]", "related: [reopen, re-open]");
    assert_eq!(
        error_for("faq.yaml", &bad),
        "content/faq.yaml: entry `how-to-turn-off`: field `related`: `re-open` is not the id of any entry"
    );
}

#[test]
fn an_empty_question_is_refused() {
    let bad = FAQ.replace("question: 怎么关闭借呗？", "question: \"  \"");
    assert_eq!(
        error_for("faq.yaml", &bad),
        "content/faq.yaml: entry `how-to-turn-off`: field `zh.question`: is empty"
    );
}

#[test]
fn an_empty_answer_is_refused() {
    let bad = FAQ.replace(
        "answer: You need to apply again and pass review.",
        "answer: \"\"",
    );
    assert_eq!(
        error_for("faq.yaml", &bad),
        "content/faq.yaml: entry `reopen`: field `en.answer`: is empty"
    );
}

#[test]
fn a_missing_language_is_refused() {
    let cut = FAQ.find("    zh:\n      question: 关闭后").unwrap();
    let bad = &FAQ[..cut];
    assert_eq!(
        error_for("faq.yaml", bad),
        "content/faq.yaml: entry `reopen`: field `zh`: language `zh` is missing"
    );
}

#[test]
fn an_answer_too_long_for_one_telegram_message_is_refused() {
    let long = "x".repeat(4097);
    let bad = FAQ.replace("You need to apply again and pass review.", &long);
    assert_eq!(
        error_for("faq.yaml", &bad),
        "content/faq.yaml: entry `reopen`: field `en.answer`: is 4097 characters, more than Telegram's 4096 for one message"
    );
}

#[test]
fn an_answer_of_exactly_4096_characters_is_accepted() {
    let long = "x".repeat(4096);
    let ok = FAQ.replace("You need to apply again and pass review.", &long);
    assert!(parse_with("faq.yaml", &ok).is_ok());
}

#[test]
fn thresholds_out_of_range_are_refused() {
    let bad = MATCHER.replace("en: { answer: 0.5,", "en: { answer: 1.5,");
    assert_eq!(
        error_for("matcher.yaml", &bad),
        "content/matcher.yaml: entry `thresholds`: field `en.answer`: 1.5 is out of range (0 to 1)"
    );
}

#[test]
fn a_clarify_threshold_above_the_answer_threshold_is_refused() {
    let bad = MATCHER.replace(
        "zh: { answer: 0.5, clarify: 0.3",
        "zh: { answer: 0.5, clarify: 0.6",
    );
    assert_eq!(
        error_for("matcher.yaml", &bad),
        "content/matcher.yaml: entry `thresholds`: field `zh.clarify`: 0.6 is above the answer threshold 0.5"
    );
}

#[test]
fn a_badly_formed_id_is_refused() {
    let bad = format!("{FAQ}{}", entry("Re_Open"));
    assert_eq!(
        error_for("faq.yaml", &bad),
        "content/faq.yaml: entry `Re_Open`: field `id`: `Re_Open` must be lowercase letters, digits and single dashes"
    );
}

#[test]
fn an_unknown_start_action_is_refused() {
    let bad = FAQ.replace("start: turn-off", "start: explode");
    assert_eq!(
        error_for("faq.yaml", &bad),
        "content/faq.yaml: entry `how-to-turn-off`: field `start`: `explode` is not an action (turn-off, cancel, agent, stop)"
    );
}

#[test]
fn a_missing_intent_is_refused() {
    let cut = INTENTS.find("  - id: agent").unwrap();
    let rest = &INTENTS[INTENTS.find("  - id: stop").unwrap()..];
    let intents = format!("{}{rest}", &INTENTS[..cut]);
    assert_eq!(
        error_for("intents.yaml", &intents),
        "content/intents.yaml: entry `agent`: intent is missing"
    );
}

#[test]
fn a_topic_with_a_bad_date_is_refused() {
    let bad = TOPICS.replace("2026-11-20", "20/11/2026");
    assert_eq!(
        error_for("topics.yaml", &bad),
        "content/topics.yaml: entry `regulation-news`: field `date`: is not a date in the form YYYY-MM-DD"
    );
}

#[test]
fn a_missing_text_key_is_refused_naming_its_file() {
    let ui = texts_for("ui.yaml");
    let start = ui.find("  greeting:").unwrap();
    let end = ui[start + 1..].find("\n  ").unwrap() + start + 1;
    let end = ui[end + 1..].find("\n  ").map(|e| e + end + 1).unwrap();
    let end = ui[end + 1..].find("\n  ").map(|e| e + end + 2).unwrap();
    let bad = format!("{}{}", &ui[..start], &ui[end..]);
    assert_eq!(
        error_for("ui.yaml", &bad),
        "content/ui.yaml: entry `greeting`: text is missing"
    );
}

#[test]
fn a_text_that_lost_its_placeholder_is_refused() {
    let closure = texts_for("closure.yaml");
    let bad = closure.replace(
        "blocked_outstanding 文本 {amount}",
        "blocked_outstanding 文本",
    );
    assert_eq!(
        error_for("closure.yaml", &bad),
        "content/closure.yaml: entry `blocked_outstanding`: field `zh`: must contain the placeholder {amount}"
    );
}

#[test]
fn a_missing_file_is_named() {
    let files = [("faq.yaml", FAQ)];
    let err = Content::parse("content", &files).unwrap_err().to_string();
    assert!(
        err.starts_with("content/intents.yaml: file is missing"),
        "{err}"
    );
}

#[test]
fn an_operator_folder_that_does_not_exist_names_the_file_it_could_not_read() {
    let err = Content::load_dir(std::path::Path::new("/nonexistent/jiebei"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("/nonexistent/jiebei/faq.yaml: cannot read:"),
        "{err}"
    );
}

#[test]
fn every_text_the_closure_machine_uses_is_required_of_the_content() {
    for key in jiebei_bot::closure::TEXT_KEYS {
        assert!(
            REQUIRED_TEXTS.iter().any(|(_, k, _)| k == key),
            "`{key}` is used by the closure machine but not checked at load"
        );
    }
}
