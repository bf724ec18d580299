//! The engine's side of escalation: opening tickets when a customer asks
//! for a human, keeping the transcript, and stepping aside while an agent
//! talks to the customer (the front relays those messages).

use crate::callback::CallbackData;
use crate::handoff::{Rate, Rating, Reason, Resolve, Role, Ticket, TicketId};

use super::turn::{Engine, Turn};
use super::types::{Button, Input, Reply};

/// What the front must do for a ticket after a turn.
#[derive(Debug, Clone, PartialEq)]
pub enum TicketEvent {
    /// A ticket was opened: post its card to the support chat.
    Opened(Ticket),
    /// The customer wrote while their ticket is open: relay the message.
    Relay(Ticket),
    /// The customer left the queue (`/stop`): tell the support chat.
    Left(Ticket),
}

/// The outcome of one turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Handled {
    /// Messages for the customer, in order.
    pub replies: Vec<Reply>,
    /// What the front must do for a ticket, if anything.
    pub ticket: Option<TicketEvent>,
}

impl Engine {
    /// While a ticket is open and a support chat takes it, the customer's
    /// messages go to the agent, not to the matcher; `/stop` leaves the
    /// queue. True when the input was taken care of here.
    pub(super) async fn relayed(&self, turn: &mut Turn, input: &Input) -> bool {
        let (Some(handoff), true) = (&self.inner.handoff, self.inner.relay) else {
            return false;
        };
        let text = match input {
            Input::Text(t) => t.trim(),
            // Button presses (ratings, old buttons) are the bot's business.
            Input::Button(_) | Input::Contact { .. } => return false,
            Input::Unsupported => "",
        };
        let ticket = match handoff.open_ticket_of(turn.chat).await {
            Ok(Some(ticket)) => ticket,
            Ok(None) => return false,
            Err(e) => {
                tracing::error!(chat = turn.chat, error = %e, "cannot look up the chat's ticket");
                return false;
            }
        };
        if text == "/stop" {
            if let Ok(Resolve::Resolved(t)) = handoff.resolve(ticket.id).await {
                self.say_key(turn, "queue_left");
                turn.ticket = Some(TicketEvent::Left(t));
            }
            return true;
        }
        if !text.is_empty() {
            if let Err(e) = handoff.record_turn(turn.chat, Role::Customer, text).await {
                tracing::warn!(chat = turn.chat, error = %e, "cannot record a turn");
            }
        }
        turn.ticket = Some(TicketEvent::Relay(ticket));
        true
    }

    /// The customer asked for a human: open (or add to) their ticket and say
    /// what happens next.
    pub(super) async fn escalate(&self, turn: &mut Turn) {
        let reason = turn.state.agent_reason.take().unwrap_or(Reason::Asked);
        let Some(handoff) = &self.inner.handoff else {
            self.say_key(turn, "agent_contact");
            return;
        };
        let (ticket, created) = match handoff.open(turn.chat, turn.lang, reason).await {
            Ok(opened) => opened,
            Err(e) => {
                tracing::error!(chat = turn.chat, error = %e, "cannot open a ticket");
                self.say_key(turn, "agent_contact");
                return;
            }
        };
        tracing::info!(chat = turn.chat, ticket = %ticket.id, created, "customer asked for a human");
        let c = &self.inner.content;
        let id = ticket.id.to_string();
        let vars = [("ticket", id.as_str())];
        if !self.inner.relay {
            let mut text = c.text_with("ticket_waiting", turn.lang, &vars);
            text.push_str("\n\n");
            text.push_str(c.text("agent_contact", turn.lang));
            turn.say(Reply::text(text));
        } else if created {
            turn.say(Reply::text(c.text_with("ticket_opened", turn.lang, &vars)));
            turn.ticket = Some(TicketEvent::Opened(ticket));
        } else {
            turn.say(Reply::text(c.text_with(
                "ticket_already_open",
                turn.lang,
                &vars,
            )));
        }
    }

    /// What the customer is told when an agent resolves their ticket: the
    /// bot is back, and 1 to 5 stars to rate the help.
    pub fn resolution_notice(&self, ticket: &Ticket) -> Reply {
        let c = &self.inner.content;
        let id = ticket.id.to_string();
        let mut reply =
            Reply::text(c.text_with("ticket_resolved", ticket.lang, &[("ticket", &id)]));
        let row = (1..=5)
            .filter_map(|n| Rating::new(n).ok())
            .map(|stars| Button {
                label: "⭐".repeat(usize::from(stars.stars())),
                data: CallbackData::Rate {
                    ticket: ticket.id,
                    stars,
                },
            })
            .collect();
        reply.buttons.push(row);
        reply
    }

    /// An agent's message as the customer sees it: marked as from customer
    /// service, in the ticket's language.
    pub fn agent_message(&self, ticket: &Ticket, text: &str) -> Reply {
        let c = &self.inner.content;
        Reply::text(c.text_with("agent_says", ticket.lang, &[("text", text)]))
    }

    /// A press of a rating button: stored once, for the customer's own
    /// resolved ticket only.
    pub(super) async fn rate(&self, turn: &mut Turn, ticket: TicketId, stars: Rating) {
        let Some(handoff) = &self.inner.handoff else {
            return self.say_key(turn, "button_expired");
        };
        match handoff.rate(ticket, turn.chat, stars).await {
            Ok(Rate::Rated) => self.say_key(turn, "rating_thanks"),
            Ok(Rate::AlreadyRated(_)) => self.say_key(turn, "rating_already"),
            Ok(Rate::NotResolved | Rate::NotFound) => self.say_key(turn, "button_expired"),
            Err(e) => {
                tracing::error!(chat = turn.chat, error = %e, "cannot store a rating");
                self.say_key(turn, "service_unavailable");
            }
        }
    }

    /// Adds the turn to the chat's transcript: the customer's text and every
    /// reply (the store masks phone and ID numbers).
    pub(super) async fn record(&self, turn: &Turn, customer_text: Option<&str>) {
        let Some(handoff) = &self.inner.handoff else {
            return;
        };
        let customer = customer_text.map(|t| (Role::Customer, t.trim()));
        let bot = turn.replies.iter().map(|r| (Role::Bot, r.text.as_str()));
        let turns: Vec<(Role, &str)> = customer
            .into_iter()
            .chain(bot)
            .filter(|(_, t)| !t.is_empty())
            .collect();
        if let Err(e) = handoff.record_turns(turn.chat, &turns).await {
            tracing::warn!(chat = turn.chat, error = %e, "cannot record a turn");
        }
    }
}
