//! What a ticket is: its id, status, reason, rating and transcript turns,
//! each a type parsed once at the edge.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::accounts::Money;
use crate::closure::AgentReason;
use crate::engine::ChatId;
use crate::lang::Lang;

/// How many turns a transcript shows: the last ones, oldest first.
pub const TRANSCRIPT_TURNS: usize = 20;

/// A ticket's number, shown as `T-000042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketId(i64);

/// Text that is not a ticket id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a ticket id (expected something like T-000042 or 42)")]
pub struct BadTicketId(pub String);

impl TicketId {
    /// The ticket with this number; numbers start at 1.
    pub fn new(n: i64) -> Option<TicketId> {
        (n > 0).then_some(TicketId(n))
    }

    /// The number, as stored.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T-{:06}", self.0)
    }
}

impl FromStr for TicketId {
    type Err = BadTicketId;

    /// Reads `T-000042`, `t-42`, `T42` or `42`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadTicketId(s.to_string());
        let trimmed = s.trim();
        let digits = trimmed
            .strip_prefix(['T', 't'])
            .map(|rest| rest.strip_prefix('-').unwrap_or(rest))
            .unwrap_or(trimmed);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        digits.parse().ok().and_then(TicketId::new).ok_or_else(bad)
    }
}

/// Where a ticket is in its life: `open → assigned → resolved`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Waiting for an agent.
    Open,
    /// An agent took it.
    Assigned,
    /// Closed; the customer is back with the bot.
    Resolved,
}

impl Status {
    /// `open`, `assigned` or `resolved`, as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Assigned => "assigned",
            Status::Resolved => "resolved",
        }
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Status::Open, Status::Assigned, Status::Resolved]
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .ok_or_else(|| format!("`{s}` is not a ticket status (open, assigned, resolved)"))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a customer is handed to a human. Serialises as
/// `{"kind":"blocked_closure","detail":"unknown_phone"}`, so the engine can
/// keep the reason of the agent button it offered in its chat state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Reason {
    /// They asked: `/agent`, the agent intent or the agent button.
    Asked,
    /// The bot could not answer them several times in a row.
    RepeatedMisses,
    /// A closure could not go ahead; the detail says why
    /// (`outstanding 1200.50`, `unknown_phone`, `closure_failed`).
    BlockedClosure(String),
}

impl Reason {
    /// A closure refused because this much is still owed.
    pub fn outstanding(amount: Money) -> Reason {
        Reason::BlockedClosure(format!("outstanding {amount}"))
    }

    /// `asked`, `repeated_misses` or `blocked_closure`, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::Asked => "asked",
            Reason::RepeatedMisses => "repeated_misses",
            Reason::BlockedClosure(_) => "blocked_closure",
        }
    }

    /// The detail of a blocked closure.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Reason::BlockedClosure(detail) => Some(detail),
            _ => None,
        }
    }

    /// The reason from its stored kind and detail.
    pub fn from_parts(kind: &str, detail: Option<String>) -> Result<Reason, String> {
        match kind {
            "asked" => Ok(Reason::Asked),
            "repeated_misses" => Ok(Reason::RepeatedMisses),
            "blocked_closure" => Ok(Reason::BlockedClosure(detail.unwrap_or_default())),
            other => Err(format!("`{other}` is not a ticket reason")),
        }
    }
}

impl From<AgentReason> for Reason {
    /// The closure machine's reason for offering a human, as a ticket reason.
    fn from(reason: AgentReason) -> Reason {
        Reason::BlockedClosure(reason.as_str().to_string())
    }
}

impl fmt::Display for Reason {
    /// `asked`, `repeated_misses`, or `blocked_closure (outstanding 1200.50)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.detail() {
            Some(detail) if !detail.is_empty() => write!(f, "{} ({detail})", self.kind()),
            _ => f.write_str(self.kind()),
        }
    }
}

/// A customer's rating of the help they got: 1 to 5 stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rating(u8);

/// A number of stars outside 1..=5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a rating is 1 to 5 stars, not {0}")]
pub struct BadRating(pub i64);

impl Rating {
    /// `stars` as a rating, if it is 1 to 5.
    pub fn new(stars: i64) -> Result<Rating, BadRating> {
        match u8::try_from(stars) {
            Ok(s @ 1..=5) => Ok(Rating(s)),
            _ => Err(BadRating(stars)),
        }
    }

    /// The number of stars.
    pub fn stars(self) -> u8 {
        self.0
    }
}

/// Who said something in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The customer.
    Customer,
    /// The bot.
    Bot,
    /// A customer-service agent.
    Agent,
}

impl Role {
    /// `customer`, `bot` or `agent`, as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Bot => "bot",
            Role::Agent => "agent",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Role::Customer, Role::Bot, Role::Agent]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a transcript role"))
    }
}

/// One message of a conversation, masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Who said it.
    pub role: Role,
    /// What was said, with phone, ID-card and card numbers masked.
    pub text: String,
    /// When.
    pub at: OffsetDateTime,
}

/// Where a ticket lives in the support group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relay {
    /// The support group's chat id.
    pub support_chat: Option<i64>,
    /// The ticket's forum topic, when the group is a forum.
    pub thread: Option<i64>,
    /// The card message posted for the ticket.
    pub card_message: Option<i64>,
}

/// A request for a human, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Its number.
    pub id: TicketId,
    /// The customer's chat.
    pub chat: ChatId,
    /// The language to speak to the customer in.
    pub lang: Lang,
    /// Why it was opened (later reasons: [`crate::handoff::Handoff::reasons`]).
    pub reason: Reason,
    /// Where it is in its life.
    pub status: Status,
    /// The agent who took it, if one did.
    pub assigned_to: Option<String>,
    /// When it was opened.
    pub created: OffsetDateTime,
    /// When it last changed.
    pub updated: OffsetDateTime,
    /// When an agent first answered the customer.
    pub first_agent_reply: Option<OffsetDateTime>,
    /// When it was resolved.
    pub resolved: Option<OffsetDateTime>,
    /// The customer's rating, given once after resolution.
    pub rating: Option<Rating>,
    /// Its topic and card in the support group.
    pub relay: Relay,
}

impl Ticket {
    /// True until the ticket is resolved: the customer talks to people.
    pub fn is_open(&self) -> bool {
        self.status != Status::Resolved
    }
}

/// What [`crate::handoff::Handoff::assign`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assign {
    /// The agent has the ticket now (or already had it: a double tap).
    Assigned(Ticket),
    /// Another agent took it first.
    AlreadyAssigned {
        /// Who has it.
        to: String,
    },
    /// The ticket is resolved; nobody can take it.
    Resolved,
    /// No ticket has this id.
    NotFound,
}

/// What [`crate::handoff::Handoff::resolve`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolve {
    /// The ticket is resolved now.
    Resolved(Ticket),
    /// It was resolved before; nothing changed.
    AlreadyResolved(Ticket),
    /// No ticket has this id.
    NotFound,
}

/// What [`crate::handoff::Handoff::rate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// The rating is stored.
    Rated,
    /// The ticket was rated before; the first rating stands.
    AlreadyRated(Rating),
    /// The ticket is not resolved yet.
    NotResolved,
    /// No ticket with this id belongs to this chat.
    NotFound,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_ids_print_padded_and_read_back_in_several_spellings() {
        let id = TicketId::new(42).unwrap();
        assert_eq!(id.to_string(), "T-000042");
        for s in ["T-000042", "t-42", "T42", "42", " 42 "] {
            assert_eq!(s.parse::<TicketId>(), Ok(id), "{s}");
        }
        for s in ["", "T-", "T-0", "0", "-1", "T-4a", "X-42", "T--42"] {
            assert!(s.parse::<TicketId>().is_err(), "{s}");
        }
    }

    #[test]
    fn a_reason_survives_its_stored_form() {
        let money: Money = "1200.50".parse().unwrap();
        for reason in [
            Reason::Asked,
            Reason::RepeatedMisses,
            Reason::outstanding(money),
            Reason::from(AgentReason::UnknownPhone),
        ] {
            let back = Reason::from_parts(reason.kind(), reason.detail().map(String::from));
            assert_eq!(back.as_ref(), Ok(&reason));
            let json = serde_json::to_string(&reason).unwrap();
            assert!(json.contains(reason.kind()), "{json}");
            assert_eq!(serde_json::from_str::<Reason>(&json).unwrap(), reason);
        }
        assert_eq!(
            Reason::outstanding(money).to_string(),
            "blocked_closure (outstanding 1200.50)"
        );
    }
}
