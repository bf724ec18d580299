//! The `tickets` and `unanswered` commands: the operator's view of people
//! waiting for a human and of questions the content does not answer.
//! `main.rs` parses the flags and calls [`run_tickets`] or
//! [`run_unanswered`] with standard output.
//!
//! `--json` output is stable: `tickets list` prints one array of ticket
//! objects (`id`, `status`, `reason`, `reason_detail`, `lang`, `chat`,
//! `created`, `updated`, `assigned_to`, `first_agent_reply`, `resolved`,
//! `rating`); `tickets show` one such object with `reasons` and
//! `transcript` added; `tickets stats` one [`Stats`] object;
//! `unanswered` one array of [`Group`] objects. Times are RFC 3339 in UTC,
//! absent values `null`.

use std::io::{self, Write};

use clap::Subcommand;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

use super::service::Handoff;
use super::stats::Stats;
use super::ticket::{Reason, Resolve, Status, Ticket, TicketId, Turn};
use super::unanswered::Group;
use crate::accounts::table;
use crate::content::Content;
use crate::matcher::Matcher;
use crate::store::StoreError;

/// Reading and resolving tickets.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum TicketsCmd {
    /// List tickets, oldest first.
    List {
        /// Only tickets in this state: open, assigned or resolved.
        #[arg(long)]
        status: Option<Status>,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Show one ticket with its transcript.
    Show {
        /// The ticket, e.g. T-000042 or 42.
        id: TicketId,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Resolve a ticket (the customer is not messaged from here).
    Resolve {
        /// The ticket, e.g. T-000042 or 42.
        id: TicketId,
    },
    /// Counts, median times to first reply and to resolution, ratings.
    Stats {
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// Why a `tickets` or `unanswered` command failed; one line, fit for a terminal.
#[derive(Debug, thiserror::Error)]
pub enum TicketsError {
    /// No ticket has this id.
    #[error("no ticket {0}")]
    NotFound(TicketId),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Output could not be written.
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
}

/// Runs one `tickets` command, printing to `out`.
pub async fn run_tickets(
    handoff: &Handoff,
    cmd: TicketsCmd,
    out: &mut impl Write,
) -> Result<(), TicketsError> {
    let now = handoff.now();
    match cmd {
        TicketsCmd::List { status, json } => {
            let tickets = handoff.list(status).await?;
            if json {
                let views: Vec<TicketView> = tickets.iter().map(TicketView::from).collect();
                writeln!(out, "{}", to_json(&views))?;
            } else if tickets.is_empty() {
                let which = status.map(|s| format!("{s} ")).unwrap_or_default();
                writeln!(out, "no {which}tickets")?;
            } else {
                let rows = tickets.iter().map(|t| {
                    vec![
                        t.id.to_string(),
                        t.status.to_string(),
                        t.lang.to_string(),
                        t.reason.to_string(),
                        age(now, t.created),
                        t.assigned_to.clone().unwrap_or_else(|| "-".into()),
                        t.rating
                            .map_or_else(|| "-".into(), |r| r.stars().to_string()),
                    ]
                });
                table(
                    out,
                    &["ID", "STATUS", "LANG", "REASON", "AGE", "AGENT", "RATING"],
                    rows,
                    &[4],
                )?;
            }
        }
        TicketsCmd::Show { id, json } => {
            let ticket = handoff.by_id(id).await?.ok_or(TicketsError::NotFound(id))?;
            let reasons = handoff.reasons(id).await?;
            let transcript = handoff.transcript(id).await?;
            if json {
                let view = ShowView {
                    ticket: TicketView::from(&ticket),
                    reasons: reasons
                        .iter()
                        .map(|(r, at)| ReasonView {
                            reason: r.kind(),
                            detail: r.detail(),
                            at: rfc3339(*at),
                        })
                        .collect(),
                    transcript: transcript.iter().map(TurnView::from).collect(),
                };
                writeln!(out, "{}", to_json(&view))?;
            } else {
                show(out, now, &ticket, &reasons, &transcript)?;
            }
        }
        TicketsCmd::Resolve { id } => match handoff.resolve(id).await? {
            Resolve::Resolved(t) => writeln!(
                out,
                "resolved {} after {}; the customer can talk to the bot again",
                t.id,
                age(now, t.created)
            )?,
            Resolve::AlreadyResolved(t) => writeln!(out, "{} was already resolved", t.id)?,
            Resolve::NotFound => return Err(TicketsError::NotFound(id)),
        },
        TicketsCmd::Stats { json } => {
            let stats = handoff.stats().await?;
            if json {
                writeln!(out, "{}", to_json(&stats))?;
            } else {
                print_stats(out, &stats)?;
            }
        }
    }
    Ok(())
}

/// Prints the unanswered questions of the last `since_days` days (all
/// without), grouped by near-duplicates, most frequent first, each with the
/// content's nearest entry; with `json` one array of groups.
pub async fn run_unanswered(
    handoff: &Handoff,
    matcher: &Matcher,
    content: &Content,
    since_days: Option<u32>,
    json: bool,
    out: &mut impl Write,
) -> Result<(), TicketsError> {
    let groups = handoff
        .unanswered_report(since_days, matcher, content)
        .await?;
    if json {
        writeln!(out, "{}", to_json(&groups))?;
        return Ok(());
    }
    let when = since_days.map_or_else(
        || "so far".to_string(),
        |d| format!("in the last {d} day{}", if d == 1 { "" } else { "s" }),
    );
    if groups.is_empty() {
        writeln!(out, "no unanswered questions {when}")?;
        return Ok(());
    }
    let total: usize = groups.iter().map(|g| g.count).sum();
    writeln!(
        out,
        "{total} unanswered question{} {when}, in {} group{}:",
        if total == 1 { "" } else { "s" },
        groups.len(),
        if groups.len() == 1 { "" } else { "s" },
    )?;
    let width = groups[0].count.to_string().len();
    for g in &groups {
        print_group(out, g, width)?;
    }
    Ok(())
}

fn print_group(out: &mut impl Write, g: &Group, width: usize) -> io::Result<()> {
    let indent = " ".repeat(width + 6);
    writeln!(out)?;
    let mut examples = g.examples.iter();
    if let Some(first) = examples.next() {
        writeln!(out, "{:>width$}  {}  {first}", g.count, g.lang)?;
    }
    for other in examples {
        writeln!(out, "{indent}{other}")?;
    }
    match &g.nearest {
        Some(n) => {
            let question = n
                .question
                .as_ref()
                .map(|q| format!(" \u{201c}{q}\u{201d}"))
                .unwrap_or_default();
            writeln!(
                out,
                "{indent}nearest: {}{question} (confidence {:.2})",
                n.target, n.confidence
            )
        }
        None => writeln!(out, "{indent}nearest: nothing shares a word with it"),
    }
}

fn show(
    out: &mut impl Write,
    now: OffsetDateTime,
    t: &Ticket,
    reasons: &[(Reason, OffsetDateTime)],
    transcript: &[Turn],
) -> io::Result<()> {
    let when = |at: Option<OffsetDateTime>| {
        at.map_or_else(
            || "-".to_string(),
            |at| format!("{} ({} ago)", rfc3339(at), age(now, at)),
        )
    };
    let status = match &t.assigned_to {
        Some(agent) => format!("{} (agent {agent})", t.status),
        None => t.status.to_string(),
    };
    writeln!(out, "ticket       {}", t.id)?;
    writeln!(out, "status       {status}")?;
    writeln!(out, "chat         {}", t.chat)?;
    writeln!(out, "language     {}", t.lang)?;
    writeln!(out, "reason       {}", t.reason)?;
    for (reason, at) in reasons.iter().skip(1) {
        writeln!(out, "asked again  {reason} ({} ago)", age(now, *at))?;
    }
    writeln!(out, "created      {}", when(Some(t.created)))?;
    writeln!(out, "first reply  {}", when(t.first_agent_reply))?;
    writeln!(out, "resolved     {}", when(t.resolved))?;
    let rating = t
        .rating
        .map_or_else(|| "-".into(), |r| format!("{}/5", r.stars()));
    writeln!(out, "rating       {rating}")?;
    writeln!(out)?;
    if transcript.is_empty() {
        return writeln!(out, "no transcript");
    }
    writeln!(out, "transcript (last {} turns):", transcript.len())?;
    for turn in transcript {
        let short = turn
            .at
            .format(format_description!("[month]-[day] [hour]:[minute]"))
            .expect("a stored time always formats");
        writeln!(out, "  {short}  {:<8}  {}", turn.role.as_str(), turn.text)?;
    }
    Ok(())
}

fn print_stats(out: &mut impl Write, s: &Stats) -> io::Result<()> {
    let secs = |v: Option<i64>| v.map_or_else(|| "-".to_string(), duration);
    writeln!(out, "open                {}", s.open)?;
    writeln!(out, "assigned            {}", s.assigned)?;
    writeln!(out, "resolved            {}", s.resolved)?;
    writeln!(
        out,
        "median first reply  {}",
        secs(s.median_first_reply_secs)
    )?;
    writeln!(
        out,
        "median resolution   {}",
        secs(s.median_resolution_secs)
    )?;
    let histogram: Vec<String> = (1..)
        .zip(s.ratings)
        .map(|(stars, n)| format!("{stars}★ {n}"))
        .collect();
    let average = s.average_rating.map_or_else(
        || "no ratings yet".to_string(),
        |a| format!("average {a:.1}"),
    );
    writeln!(
        out,
        "ratings             {}  ({average})",
        histogram.join("  ")
    )
}

/// How long ago `then` was, in the largest whole unit: `45s`, `3m`, `2h`, `4d`.
fn age(now: OffsetDateTime, then: OffsetDateTime) -> String {
    duration((now - then).whole_seconds())
}

/// A number of seconds in its largest whole unit: `45s`, `3m`, `2h`, `4d`.
fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..60 => format!("{secs}s"),
        60..3_600 => format!("{}m", secs / 60),
        3_600..86_400 => format!("{}h", secs / 3_600),
        _ => format!("{}d", secs / 86_400),
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .expect("a stored time always formats as RFC 3339")
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("views of plain strings and numbers serialize")
}

/// A ticket as `--json` prints it.
#[derive(Serialize)]
struct TicketView<'a> {
    id: String,
    status: &'static str,
    reason: &'static str,
    reason_detail: Option<&'a str>,
    lang: &'static str,
    chat: i64,
    created: String,
    updated: String,
    assigned_to: Option<&'a str>,
    first_agent_reply: Option<String>,
    resolved: Option<String>,
    rating: Option<u8>,
}

impl<'a> From<&'a Ticket> for TicketView<'a> {
    fn from(t: &'a Ticket) -> TicketView<'a> {
        TicketView {
            id: t.id.to_string(),
            status: t.status.as_str(),
            reason: t.reason.kind(),
            reason_detail: t.reason.detail(),
            lang: t.lang.code(),
            chat: t.chat,
            created: rfc3339(t.created),
            updated: rfc3339(t.updated),
            assigned_to: t.assigned_to.as_deref(),
            first_agent_reply: t.first_agent_reply.map(rfc3339),
            resolved: t.resolved.map(rfc3339),
            rating: t.rating.map(|r| r.stars()),
        }
    }
}

/// `tickets show --json`: the ticket, its reasons and its transcript.
#[derive(Serialize)]
struct ShowView<'a> {
    #[serde(flatten)]
    ticket: TicketView<'a>,
    reasons: Vec<ReasonView<'a>>,
    transcript: Vec<TurnView<'a>>,
}

#[derive(Serialize)]
struct ReasonView<'a> {
    reason: &'static str,
    detail: Option<&'a str>,
    at: String,
}

#[derive(Serialize)]
struct TurnView<'a> {
    role: &'static str,
    text: &'a str,
    at: String,
}

impl<'a> From<&'a Turn> for TurnView<'a> {
    fn from(t: &'a Turn) -> TurnView<'a> {
        TurnView {
            role: t.role.as_str(),
            text: &t.text,
            at: rfc3339(t.at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_their_largest_whole_unit() {
        assert_eq!(duration(-5), "0s");
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(180), "3m");
        assert_eq!(duration(7_300), "2h");
        assert_eq!(duration(4 * 86_400 + 5), "4d");
    }
}
