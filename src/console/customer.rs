//! The customer's terminal: the same engine as Telegram, buttons shown as
//! numbered choices (`[N] label`; typing the number presses it), one
//! customer message per line, so it can be scripted with piped input.
//!
//! Telegram's contact sharing is played by `/contact +8613800000001` (your
//! own number) and `/contact-other +8613800000001` (someone else's card).

use std::collections::HashSet;
use std::io::Write;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::engine::{Engine, Incoming, Input, Keyboard, Reply, TicketEvent};
use crate::handoff::{Handoff, Role, TicketId};

/// The chat id the terminal customer has.
pub const CONSOLE_CHAT: i64 = 1;
/// The user id of a contact card that is not the terminal customer's.
const SOMEONE_ELSE: i64 = 2;

/// How the terminal chat behaves.
#[derive(Clone, Default)]
pub struct Options {
    /// Show the greeting before the first line.
    pub greet: bool,
    /// Print a `> ` prompt (for a person at a terminal, not for pipes).
    pub prompt: bool,
    /// Show what an agent writes from `jiebei-bot chat --as-agent` (polled
    /// from the database), and the end of the ticket.
    pub agent: Option<Handoff>,
}

/// Runs the terminal chat until end of input.
pub async fn run<R, W>(
    engine: &Engine,
    input: R,
    out: &mut W,
    options: Options,
) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: Write,
{
    let mut buttons: Vec<String> = Vec::new();
    if options.greet {
        let replies = engine.handle(Incoming::text(CONSOLE_CHAT, "/start")).await;
        buttons = print(engine, out, &replies)?;
    }
    let mut watch = AgentWatch::default();
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
    let mut lines = input.lines();
    loop {
        if options.prompt {
            write!(out, "> ")?;
            out.flush()?;
        }
        let line = loop {
            tokio::select! {
                line = lines.next_line() => break line?,
                _ = tick.tick(), if options.agent.is_some() => {
                    if let Some(handoff) = &options.agent {
                        let replies = watch.poll(engine, handoff).await;
                        if !replies.is_empty() {
                            writeln!(out)?;
                            buttons = print(engine, out, &replies)?;
                        }
                    }
                }
            }
        };
        let Some(line) = line else { break };
        let incoming = to_incoming(&line, &buttons);
        let handled = engine.handle_full(incoming).await;
        if let Some(TicketEvent::Left(_)) = handled.ticket {
            // The customer left the queue; no agent closed it.
            watch.ticket = None;
        }
        buttons = print(engine, out, &handled.replies)?;
    }
    Ok(())
}

/// What the customer has already been shown of their ticket.
#[derive(Default)]
struct AgentWatch {
    ticket: Option<TicketId>,
    seen: HashSet<(i64, String)>,
}

impl AgentWatch {
    /// New agent messages and, once, the end of the ticket.
    async fn poll(&mut self, engine: &Engine, handoff: &Handoff) -> Vec<Reply> {
        let mut replies = Vec::new();
        if let Ok(Some(open)) = handoff.open_ticket_of(CONSOLE_CHAT).await {
            self.ticket = Some(open.id);
        }
        let Some(id) = self.ticket else {
            return replies;
        };
        let Ok(Some(ticket)) = handoff.by_id(id).await else {
            return replies;
        };
        for turn in handoff.transcript(id).await.unwrap_or_default() {
            let key = (turn.at.unix_timestamp(), turn.text.clone());
            if turn.role == Role::Agent && self.seen.insert(key) {
                replies.push(engine.agent_message(&ticket, &turn.text));
            }
        }
        if !ticket.is_open() {
            replies.push(engine.resolution_notice(&ticket));
            self.ticket = None;
        }
        replies
    }
}

/// What a typed line means: a number presses a shown button, `/contact`
/// shares a phone number, anything else is a message.
fn to_incoming(line: &str, buttons: &[String]) -> Incoming {
    let trimmed = line.trim();
    if let Ok(n) = trimmed.parse::<usize>() {
        if (1..=buttons.len()).contains(&n) {
            return Incoming::button(CONSOLE_CHAT, buttons[n - 1].clone());
        }
    }
    let contact = |phone: &str, user: i64| Incoming {
        chat: CONSOLE_CHAT,
        user: Some(CONSOLE_CHAT),
        language_code: None,
        input: Input::Contact {
            phone: phone.trim().to_string(),
            user_id: Some(user),
        },
    };
    if let Some(phone) = trimmed.strip_prefix("/contact-other ") {
        return contact(phone, SOMEONE_ELSE);
    }
    if let Some(phone) = trimmed.strip_prefix("/contact ") {
        return contact(phone, CONSOLE_CHAT);
    }
    Incoming::text(CONSOLE_CHAT, line)
}

/// Prints replies and returns the callback data of the numbered buttons.
pub(super) fn print<W: Write>(
    engine: &Engine,
    out: &mut W,
    replies: &[Reply],
) -> std::io::Result<Vec<String>> {
    let mut data = Vec::new();
    for reply in replies {
        writeln!(out, "{}", reply.text)?;
        for button in reply.all_buttons() {
            data.push(button.data.encode());
            writeln!(out, "[{}] {}", data.len(), button.label)?;
        }
        if let Keyboard::RequestContact(label) = &reply.keyboard {
            let lang = crate::lang::detect_script(&reply.text).unwrap_or(crate::lang::Lang::En);
            writeln!(
                out,
                "({label}) {}",
                engine.content().text("contact_hint", lang)
            )?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(data)
}
