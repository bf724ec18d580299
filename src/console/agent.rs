//! The support agent's terminal (`jiebei-bot chat --as-agent`): plays the
//! support group against the same database as a customer's terminal. New
//! tickets show as cards with their masked transcript, the customer's
//! messages appear as they come, and the agent answers with commands:
//!
//! - `/tickets`: open and assigned tickets with their age;
//! - `/take ID`: take a ticket (the first agent to take it has it);
//! - `/reply ID text`: send `text` to the ticket's customer;
//! - `/resolve ID`: close the ticket; the customer is asked for a rating.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::handoff::{Assign, Handoff, Resolve, Role, Status, Ticket, TicketId};

/// The name this terminal's agent takes tickets under.
const AGENT: &str = "terminal agent";

/// Runs the agent's terminal until end of input.
pub async fn run_agent<R, W>(handoff: &Handoff, input: R, out: &mut W) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: Write,
{
    writeln!(
        out,
        "Support desk. Commands: /tickets, /take ID, /reply ID text, /resolve ID"
    )?;
    let mut desk = Desk::default();
    desk.poll(handoff, out).await?;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut lines = input.lines();
    loop {
        let line = tokio::select! {
            line = lines.next_line() => line?,
            _ = tick.tick() => {
                desk.poll(handoff, out).await?;
                continue;
            }
        };
        let Some(line) = line else { break };
        command(handoff, line.trim(), out).await?;
        desk.poll(handoff, out).await?;
    }
    Ok(())
}

/// What this terminal has shown: cards and turns per ticket.
#[derive(Default)]
struct Desk {
    seen: HashMap<TicketId, HashSet<(i64, Role, String)>>,
}

impl Desk {
    /// Prints new tickets' cards and new customer messages.
    async fn poll<W: Write>(&mut self, handoff: &Handoff, out: &mut W) -> std::io::Result<()> {
        let mut open = handoff.list(Some(Status::Open)).await.unwrap_or_default();
        open.extend(
            handoff
                .list(Some(Status::Assigned))
                .await
                .unwrap_or_default(),
        );
        for ticket in open {
            let transcript = handoff.transcript(ticket.id).await.unwrap_or_default();
            let new_card = !self.seen.contains_key(&ticket.id);
            let seen = self.seen.entry(ticket.id).or_default();
            if new_card {
                writeln!(
                    out,
                    "\n=== new ticket {} · {} · {}",
                    ticket.id, ticket.lang, ticket.reason
                )?;
            }
            for turn in transcript {
                let key = (turn.at.unix_timestamp(), turn.role, turn.text.clone());
                if !seen.insert(key) {
                    continue;
                }
                if new_card || turn.role == Role::Customer {
                    writeln!(
                        out,
                        "[{} {}] {}",
                        ticket.id,
                        role_name(turn.role),
                        turn.text
                    )?;
                }
            }
        }
        out.flush()
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Customer => "customer",
        Role::Bot => "bot",
        Role::Agent => "agent",
    }
}

/// Carries out one agent command.
async fn command<W: Write>(handoff: &Handoff, line: &str, out: &mut W) -> std::io::Result<()> {
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let (id, text) = rest
        .trim()
        .split_once(char::is_whitespace)
        .unwrap_or((rest.trim(), ""));
    let ticket = id.parse::<TicketId>().ok();
    let found = match ticket {
        Some(id) => handoff.by_id(id).await.ok().flatten(),
        None => None,
    };
    match (name, found) {
        ("/tickets", _) => {
            let mut open = handoff.list(Some(Status::Open)).await.unwrap_or_default();
            open.extend(
                handoff
                    .list(Some(Status::Assigned))
                    .await
                    .unwrap_or_default(),
            );
            if open.is_empty() {
                writeln!(out, "no open tickets")?;
            }
            for t in open {
                let who = t.assigned_to.as_deref().unwrap_or("nobody");
                writeln!(
                    out,
                    "{} · {} · {} · opened {} · {who}",
                    t.id, t.lang, t.reason, t.created
                )?;
            }
        }
        ("/take", Some(t)) => match handoff.assign(t.id, AGENT).await {
            Ok(Assign::Assigned(_)) => writeln!(out, "{} is yours", t.id)?,
            Ok(Assign::AlreadyAssigned { to }) => {
                writeln!(out, "{} is already taken by {to}", t.id)?
            }
            Ok(_) => writeln!(out, "{} is resolved or gone", t.id)?,
            Err(e) => writeln!(out, "error: {e}")?,
        },
        ("/reply", Some(t)) if !text.trim().is_empty() && t.is_open() => {
            reply(handoff, &t, text.trim(), out).await?
        }
        ("/resolve", Some(t)) => match handoff.resolve(t.id).await {
            Ok(Resolve::Resolved(_)) => {
                writeln!(out, "{} resolved; the customer is asked for a rating", t.id)?
            }
            Ok(_) => writeln!(out, "{} was already resolved", t.id)?,
            Err(e) => writeln!(out, "error: {e}")?,
        },
        ("/take" | "/reply" | "/resolve", _) => {
            writeln!(out, "no open ticket `{id}` (see /tickets)")?
        }
        _ => writeln!(
            out,
            "commands: /tickets, /take ID, /reply ID text, /resolve ID"
        )?,
    }
    Ok(())
}

async fn reply<W: Write>(
    handoff: &Handoff,
    t: &Ticket,
    text: &str,
    out: &mut W,
) -> std::io::Result<()> {
    let sent = async {
        handoff.record_turn(t.chat, Role::Agent, text).await?;
        handoff.note_agent_reply(t.id).await
    };
    match sent.await {
        Ok(_) => writeln!(out, "sent to {}", t.id),
        Err(e) => writeln!(out, "error: {e}"),
    }
}
