//! [`Handoff`]: the one door to tickets, transcripts and unanswered
//! questions for the engine, the Telegram front and the CLI.

use std::fmt;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::stats::Stats;
use super::ticket::{Assign, Rate, Rating, Reason, Resolve, Role, Status, Ticket, TicketId, Turn};
use super::unanswered::{group, Group};
use crate::content::Content;
use crate::engine::{ChatId, Clock, SystemClock};
use crate::lang::Lang;
use crate::matcher::Matcher;
use crate::store::{Store, StoreError};

/// Tickets and what goes with them, over the database. Cheap to clone:
/// clones share the store and the clock. Every text it stores is masked
/// first (see [`super::mask()`]).
#[derive(Clone)]
pub struct Handoff {
    store: Store,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Handoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handoff")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Handoff {
    /// Tickets in `store`, on the system clock.
    pub fn new(store: Store) -> Handoff {
        Handoff::with_clock(store, Arc::new(SystemClock))
    }

    /// Tickets in `store`, on a chosen clock.
    pub fn with_clock(store: Store, clock: Arc<dyn Clock>) -> Handoff {
        Handoff { store, clock }
    }

    /// Now, by this service's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Remembers one message of the chat, masked: in the chat's rolling
    /// window of the last [`super::TRANSCRIPT_TURNS`] turns (what a new
    /// ticket starts with), and in the transcript of its open ticket.
    pub async fn record_turn(
        &self,
        chat: ChatId,
        role: Role,
        text: &str,
    ) -> Result<(), StoreError> {
        self.store
            .record_turns(chat, &[(role, text)], self.now())
            .await
    }

    /// Remembers several messages of one conversation turn at once (one
    /// write), in order, as [`Handoff::record_turn`] does for one.
    pub async fn record_turns(
        &self,
        chat: ChatId,
        turns: &[(Role, &str)],
    ) -> Result<(), StoreError> {
        self.store.record_turns(chat, turns, self.now()).await
    }

    /// Hands the chat to a human: opens a ticket (true) whose transcript
    /// is the chat's last turns, or, when one is open already, adds
    /// `reason` to it and returns it (false).
    pub async fn open(
        &self,
        chat: ChatId,
        lang: Lang,
        reason: Reason,
    ) -> Result<(Ticket, bool), StoreError> {
        self.store
            .open_ticket(chat, lang, &reason, self.now())
            .await
    }

    /// The chat's ticket that is not resolved yet: while there is one, the
    /// customer's messages go to people, not to the FAQ.
    pub async fn open_ticket_of(&self, chat: ChatId) -> Result<Option<Ticket>, StoreError> {
        self.store.open_ticket_of(chat).await
    }

    /// The ticket with this id.
    pub async fn by_id(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        self.store.ticket(id).await
    }

    /// Every ticket (or those with `status`), oldest first.
    pub async fn list(&self, status: Option<Status>) -> Result<Vec<Ticket>, StoreError> {
        self.store.tickets(status).await
    }

    /// Every reason the ticket was asked for and when, the opening one first.
    pub async fn reasons(&self, id: TicketId) -> Result<Vec<(Reason, OffsetDateTime)>, StoreError> {
        self.store.ticket_reasons(id).await
    }

    /// The ticket's last [`super::TRANSCRIPT_TURNS`] turns, oldest first.
    pub async fn transcript(&self, id: TicketId) -> Result<Vec<Turn>, StoreError> {
        self.store.ticket_transcript(id).await
    }

    /// Gives an open ticket to `agent`. Atomic: of agents pressing "take"
    /// at once (on any connection or replica) the first wins and the
    /// others learn who has it. The same agent taking it again is no error.
    pub async fn assign(&self, id: TicketId, agent: &str) -> Result<Assign, StoreError> {
        self.store.assign_ticket(id, agent, self.now()).await
    }

    /// Notes that an agent answered the customer; only the first answer's
    /// time is kept (true when this was it).
    pub async fn note_agent_reply(&self, id: TicketId) -> Result<bool, StoreError> {
        self.store.note_agent_reply(id, self.now()).await
    }

    /// Resolves the ticket: the customer is back with the bot.
    pub async fn resolve(&self, id: TicketId) -> Result<Resolve, StoreError> {
        self.store.resolve_ticket(id, self.now()).await
    }

    /// Stores the customer's rating: only for a resolved ticket of this
    /// chat, and only once.
    pub async fn rate(
        &self,
        id: TicketId,
        chat: ChatId,
        rating: Rating,
    ) -> Result<Rate, StoreError> {
        self.store.rate_ticket(id, chat, rating, self.now()).await
    }

    /// Counts, median times and ratings over every ticket.
    pub async fn stats(&self) -> Result<Stats, StoreError> {
        Ok(Stats::of(&self.list(None).await?))
    }

    /// Records the forum topic the ticket got in `support_chat`; false when
    /// there is no such ticket. Setting it again (a recreated topic)
    /// replaces it.
    pub async fn set_thread(
        &self,
        id: TicketId,
        support_chat: i64,
        thread: i64,
    ) -> Result<bool, StoreError> {
        self.store.set_ticket_thread(id, support_chat, thread).await
    }

    /// Records the card message posted for the ticket in `support_chat`
    /// and routes replies to it; false when there is no such ticket.
    pub async fn set_card(
        &self,
        id: TicketId,
        support_chat: i64,
        message: i64,
    ) -> Result<bool, StoreError> {
        self.store.set_ticket_card(id, support_chat, message).await
    }

    /// Routes replies to `message` (a customer message relayed into
    /// `support_chat`) to the ticket; false when there is no such ticket.
    pub async fn link_message(
        &self,
        id: TicketId,
        support_chat: i64,
        message: i64,
    ) -> Result<bool, StoreError> {
        self.store
            .link_ticket_message(id, support_chat, message)
            .await
    }

    /// The ticket whose topic in `support_chat` is `thread` (the newest,
    /// should a topic ever serve two).
    pub async fn ticket_by_thread(
        &self,
        support_chat: i64,
        thread: i64,
    ) -> Result<Option<Ticket>, StoreError> {
        self.store.ticket_by_thread(support_chat, thread).await
    }

    /// The ticket that `message` in `support_chat` (a card or a relayed
    /// message) belongs to.
    pub async fn ticket_by_message(
        &self,
        support_chat: i64,
        message: i64,
    ) -> Result<Option<Ticket>, StoreError> {
        self.store.ticket_by_message(support_chat, message).await
    }

    /// Stores, masked, a question the bot could not answer.
    pub async fn record_unanswered(&self, lang: Lang, text: &str) -> Result<(), StoreError> {
        self.store.record_unanswered(lang, text, self.now()).await
    }

    /// The unanswered questions of the last `since_days` days (all without),
    /// grouped by near-duplicates, most frequent first, each with the
    /// nearest existing entry.
    pub async fn unanswered_report(
        &self,
        since_days: Option<u32>,
        matcher: &Matcher,
        content: &Content,
    ) -> Result<Vec<Group>, StoreError> {
        let since = since_days.map(|d| self.now() - Duration::days(i64::from(d)));
        let questions = self.store.unanswered(since).await?;
        Ok(group(&questions, matcher, content))
    }
}
