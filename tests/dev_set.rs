//! The matcher's quality gate on the held-out dev set: at least 97% top-1
//! per language on in-domain lines and no confident answer on out-of-domain
//! lines (the same figures `jiebei-bot eval tests/data/dev_questions.tsv`
//! prints).

use jiebei_bot::content::Content;
use jiebei_bot::eval::{evaluate, parse_cases};
use jiebei_bot::matcher::Matcher;

#[test]
fn the_dev_set_meets_the_accuracy_gate_and_gets_no_false_answers() {
    let tsv = include_str!("data/dev_questions.tsv");
    let cases = parse_cases(tsv).expect("dev set parses");
    assert!(
        cases.len() >= 200,
        "the dev set has only {} lines",
        cases.len()
    );
    let matcher = Matcher::new(&Content::builtin().unwrap());
    let report = evaluate(&matcher, &cases);
    let summary = report.render();
    assert!(
        report.min_accuracy() >= 0.97,
        "accuracy below 97%:\n{summary}"
    );
    assert_eq!(
        report.max_false_answer_rate(),
        0.0,
        "confident answers on out-of-domain lines:\n{summary}"
    );
}
