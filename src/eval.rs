//! The matcher's evaluation: a TSV of labelled messages in, accuracy per
//! language and kind, false answers on out-of-domain lines, and every miss.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::content::{ActionId, FaqId};
use crate::lang::Lang;
use crate::matcher::{Match, Matcher, Target};

/// What a line expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// One of these targets (alternatives joined by `|` in the file).
    AnyOf(Vec<Target>),
    /// Out of domain: no confident answer.
    None,
}

/// One labelled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Line number in the file (1-based).
    pub line: usize,
    /// What the classifier should say.
    pub expected: Expected,
    /// The message's language.
    pub lang: Lang,
    /// The message.
    pub text: String,
}

/// A line of the file that is not a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct BadLine {
    /// Line number (1-based).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads `expected<TAB>lang<TAB>text` lines; `#` lines and blank lines are skipped.
pub fn parse_cases(tsv: &str) -> Result<Vec<Case>, BadLine> {
    let mut cases = Vec::new();
    for (i, raw) in tsv.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let bad = |message: String| BadLine { line, message };
        let mut parts = raw.splitn(3, '\t');
        let (Some(expected), Some(lang), Some(text)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad(
                "expected three tab-separated fields: expected, lang, text".into(),
            ));
        };
        let lang: Lang = lang.parse().map_err(|e| bad(format!("{e}")))?;
        let expected = if expected == "none" {
            Expected::None
        } else {
            let mut targets = Vec::new();
            for alt in expected.split('|') {
                let target = match alt.strip_prefix("action:") {
                    Some(a) => Target::Action(
                        ActionId::parse(a).ok_or_else(|| bad(format!("unknown action `{a}`")))?,
                    ),
                    None => {
                        Target::Faq(FaqId::parse(alt).map_err(|e| bad(format!("bad FAQ id: {e}")))?)
                    }
                };
                targets.push(target);
            }
            Expected::AnyOf(targets)
        };
        cases.push(Case {
            line,
            expected,
            lang,
            text: text.to_string(),
        });
    }
    Ok(cases)
}

/// A case the matcher got wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    /// Line number.
    pub line: usize,
    /// Language.
    pub lang: Lang,
    /// The message.
    pub text: String,
    /// What was expected, as written in the file.
    pub expected: String,
    /// What the matcher said.
    pub got: String,
}

/// Counts for one group of lines.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Tally {
    /// Lines that were right.
    pub right: usize,
    /// Lines in the group.
    pub total: usize,
}

impl Tally {
    /// Share right, 1.0 for an empty group.
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.right as f64 / self.total as f64
        }
    }
}

/// The result of an evaluation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Top-1 accuracy on in-domain lines, per language.
    pub in_domain: BTreeMap<Lang, Tally>,
    /// Accuracy per expected kind (`answer`, `action`, `none`) and language.
    pub by_kind: BTreeMap<String, Tally>,
    /// Out-of-domain lines, and how many got a confident answer or action.
    pub false_answers: BTreeMap<Lang, Tally>,
    /// Every line that was wrong.
    pub misses: Vec<Miss>,
}

impl Report {
    /// The lowest in-domain accuracy over languages.
    pub fn min_accuracy(&self) -> f64 {
        self.in_domain.values().map(Tally::rate).fold(1.0, f64::min)
    }

    /// The highest rate of confident answers on out-of-domain lines.
    pub fn max_false_answer_rate(&self) -> f64 {
        self.false_answers
            .values()
            .map(|t| {
                if t.total == 0 {
                    0.0
                } else {
                    t.right as f64 / t.total as f64
                }
            })
            .fold(0.0, f64::max)
    }

    /// A readable summary with every miss.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let pct = |t: &Tally| format!("{:.1}% ({}/{})", t.rate() * 100.0, t.right, t.total);
        out.push_str("in-domain top-1 accuracy\n");
        for (lang, t) in &self.in_domain {
            let _ = writeln!(out, "  {lang}: {}", pct(t));
        }
        out.push_str("by kind\n");
        for (kind, t) in &self.by_kind {
            let _ = writeln!(out, "  {kind}: {}", pct(t));
        }
        out.push_str("confident answers on out-of-domain lines\n");
        for (lang, t) in &self.false_answers {
            let rate = if t.total == 0 {
                0.0
            } else {
                t.right as f64 / t.total as f64
            };
            let _ = writeln!(
                out,
                "  {lang}: {:.1}% ({}/{})",
                rate * 100.0,
                t.right,
                t.total
            );
        }
        let _ = writeln!(out, "misses: {}", self.misses.len());
        for m in &self.misses {
            let _ = writeln!(
                out,
                "  line {} [{}] expected {} got {}: {}",
                m.line, m.lang, m.expected, m.got, m.text
            );
        }
        out
    }
}

/// How a match reads in reports and in `ask`'s JSON.
pub fn describe(m: &Match) -> String {
    match m {
        Match::Answer { id, .. } => id.to_string(),
        Match::Action { id, .. } => format!("action:{id}"),
        Match::Clarify { candidates } => {
            let c: Vec<String> = candidates.iter().map(ToString::to_string).collect();
            format!("clarify[{}]", c.join(","))
        }
        Match::Fallback => "none".into(),
    }
}

/// Runs every case through `matcher`.
pub fn evaluate(matcher: &Matcher, cases: &[Case]) -> Report {
    let mut report = Report::default();
    for case in cases {
        let got = matcher.classify(&case.text, case.lang);
        let confident = match &got {
            Match::Answer { id, .. } => Some(Target::Faq(id.clone())),
            Match::Action { id, .. } => Some(Target::Action(*id)),
            _ => None,
        };
        let (kind, right, expected) = match &case.expected {
            Expected::None => {
                let fa = report.false_answers.entry(case.lang).or_default();
                fa.total += 1;
                if confident.is_some() {
                    fa.right += 1;
                }
                ("none", confident.is_none(), "none".to_string())
            }
            Expected::AnyOf(targets) => {
                let right = confident.as_ref().is_some_and(|c| targets.contains(c));
                let t = report.in_domain.entry(case.lang).or_default();
                t.total += 1;
                t.right += usize::from(right);
                let kind = if matches!(targets[0], Target::Action(_)) {
                    "action"
                } else {
                    "answer"
                };
                let names: Vec<String> = targets.iter().map(ToString::to_string).collect();
                (kind, right, names.join("|"))
            }
        };
        let k = report
            .by_kind
            .entry(format!("{kind} ({})", case.lang))
            .or_default();
        k.total += 1;
        k.right += usize::from(right);
        if !right {
            report.misses.push(Miss {
                line: case.line,
                lang: case.lang,
                text: case.text.clone(),
                expected,
                got: describe(&got),
            });
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_with_alternatives_actions_and_comments() {
        let cases = parse_cases("# heading\nreopen|limit-after-reopen\ten\tcan I reopen\naction:cancel\tzh\t注销\nnone\ten\tweather\n").unwrap();
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[0].line, 2);
        assert!(matches!(&cases[0].expected, Expected::AnyOf(t) if t.len() == 2));
        assert_eq!(
            cases[1].expected,
            Expected::AnyOf(vec![Target::Action(ActionId::Cancel)])
        );
        assert_eq!(cases[2].expected, Expected::None);
    }

    #[test]
    fn a_bad_line_is_reported_with_its_number() {
        let err = parse_cases("reopen\ten\tok\nreopen\tfr\tbonjour\n").unwrap_err();
        assert_eq!(err.line, 2);
        let err = parse_cases("action:explode\ten\tboom\n").unwrap_err();
        assert_eq!(err.to_string(), "line 1: unknown action `explode`");
    }
}
