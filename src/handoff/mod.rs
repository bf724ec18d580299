//! Escalation to a human: tickets with their reasons and masked
//! transcripts, the mapping between a ticket and its topic, card and
//! relayed messages in the support group, ratings and figures, the
//! questions the bot could not answer, and the operator's commands.
//!
//! [`Handoff`] is the one door to all of it; the store below it masks
//! every text before writing it. The Telegram front and the engine decide
//! *when* to open, relay and resolve; this module only keeps the record.
//!
//! - `mask`: [`mask()`] hides phone, ID-card and bank-card numbers.
//! - `ticket`: [`Ticket`], [`TicketId`], [`Status`], [`Reason`],
//!   [`Rating`], [`Turn`] and the outcomes of acting on a ticket.
//! - `service`: [`Handoff`].
//! - `stats`: [`Stats`] over all tickets.
//! - `unanswered`: grouping unanswered questions by near-duplicates.
//! - `cli`: the `tickets` and `unanswered` commands.

mod cli;
mod mask;
mod service;
mod stats;
mod ticket;
mod unanswered;

pub use cli::{run_tickets, run_unanswered, TicketsCmd, TicketsError};
pub use mask::{mask, MIN_DIGITS, MIN_DIGITS_WITH_PLUS};
pub use service::Handoff;
pub use stats::Stats;
pub use ticket::{
    Assign, BadRating, BadTicketId, Rate, Rating, Reason, Relay, Resolve, Role, Status, Ticket,
    TicketId, Turn, TRANSCRIPT_TURNS,
};
pub use unanswered::{group, Group, Nearest, Unanswered, EXAMPLES, SIMILARITY};
