//! The support desk and how a ticket's messages reach the support group:
//! in the ticket's forum topic when the group is a forum, else as replies
//! to its card. A ticket without a place there gets one (its card, in a new
//! topic) on its first message; a deleted topic or card is made again; a
//! group that became a supergroup is followed to its new id.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use teloxide::RequestError;

use crate::engine::Engine;
use crate::handoff::{Handoff, Status, Ticket, TicketId};
use crate::lang::Lang;
use crate::telegram::api::{Api, Place};
use crate::telegram::render::{escape, Outgoing};
use crate::telegram::split::{split, MAX_TEXT};

use super::calls::{migrated, reply_gone, thread_gone, topic_closed};
use super::card;

/// How long the group's "forum or not" is trusted before asking again
/// (administrators can turn topics on and off).
const FORUM_TTL: Duration = Duration::from_secs(600);

/// Tries of one delivery: the first, and once after each recovery (a new
/// topic, a new card, the group's new id).
const TRIES: usize = 3;

/// The support group's side of the bot.
pub(crate) struct Desk {
    pub(super) engine: Engine,
    pub(super) api: Api,
    pub(super) handoff: Handoff,
    /// The language the bot speaks in the group.
    pub(super) lang: Lang,
    /// The bot's username, to tell `/resolve@this_bot` from other bots'.
    pub(super) username: String,
    /// The group's id now (it changes when a group becomes a supergroup).
    chat: AtomicI64,
    /// Whether the group is a forum, and since when that is known.
    forum: Mutex<Option<(bool, Instant)>>,
    /// One lock per ticket, so that two messages of a ticket never both
    /// make its topic or card. Entries stay for the life of the process:
    /// a few bytes per ticket. A std Mutex guards the map (never held
    /// across an await); each ticket's lock is Tokio's.
    locks: Mutex<HashMap<TicketId, Arc<tokio::sync::Mutex<()>>>>,
}

/// What to put in a ticket's place.
#[derive(Debug, Clone, Copy)]
pub(super) enum Post<'a> {
    /// Nothing more: just make sure the ticket has its card there.
    Card,
    /// A copy of a message (the customer's, from their chat).
    Copy {
        /// The chat it is in.
        from_chat: i64,
        /// Its id.
        message: i32,
    },
    /// A notice from the bot.
    Notice(&'a str),
}

impl Desk {
    /// The desk for the support group `chat`.
    pub(crate) fn new(
        engine: Engine,
        api: Api,
        handoff: Handoff,
        chat: i64,
        lang: Lang,
        username: String,
    ) -> Desk {
        Desk {
            engine,
            api,
            handoff,
            lang,
            username,
            chat: AtomicI64::new(chat),
            forum: Mutex::new(None),
            locks: Mutex::new(HashMap::new()),
        }
    }

    /// The support group's id now.
    pub(crate) fn chat(&self) -> i64 {
        self.chat.load(Ordering::SeqCst)
    }

    /// Checks the group at start: the bot can see it, whether it is a
    /// forum, whether it moved. Trouble is logged; customers are served
    /// either way and tickets are posted once the group can be reached.
    pub(crate) async fn check(self: &Arc<Self>) {
        let chat = self.chat();
        match self.api.is_forum(chat).await {
            Ok(forum) => {
                self.remember_forum(chat, forum);
                tracing::info!(chat, forum, "support group ready");
            }
            Err(e) => match migrated(&e) {
                Some(to) => self.follow(chat, to),
                None => {
                    let error = self.api.describe(&e);
                    tracing::error!(chat, %error, "cannot read the support group; is the bot a member? tickets are kept meanwhile");
                }
            },
        }
    }

    /// Follows the group to its new id, once, and posts the cards of the
    /// open tickets there.
    pub(crate) fn follow(self: &Arc<Self>, from: i64, to: i64) {
        if from == to
            || self
                .chat
                .compare_exchange(from, to, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
        {
            return;
        }
        tracing::warn!(
            from,
            to,
            "the support group became a supergroup with a new id; following it (set JIEBEI_SUPPORT_CHAT_ID to the new id)"
        );
        *self.forum.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let desk = self.clone();
        tokio::spawn(async move { desk.repost_open().await });
    }

    /// Gives every ticket that is not resolved its card in the group as it
    /// is now.
    async fn repost_open(self: Arc<Self>) {
        for status in [Status::Open, Status::Assigned] {
            let tickets = match self.handoff.list(Some(status)).await {
                Ok(t) => t,
                Err(e) => {
                    tracing::error!(error = %e, "cannot list tickets to post again");
                    return;
                }
            };
            for t in tickets {
                if let Err(e) = self.deliver(t.id, Post::Card).await {
                    let error = self.api.describe(&e);
                    tracing::error!(ticket = %t.id, %error, "cannot post a card again");
                }
            }
        }
    }

    /// Puts `post` in the ticket's place in the group, making the place
    /// first if needed; returns where it went and the message's id (none
    /// for [`Post::Card`]).
    pub(super) async fn deliver(
        self: &Arc<Self>,
        id: TicketId,
        post: Post<'_>,
    ) -> Result<Option<(Place, i32)>, RequestError> {
        let lock = self.lock_of(id);
        let _guard = lock.lock().await;
        let mut ticket = match self.handoff.by_id(id).await {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(None),
            Err(e) => {
                tracing::error!(ticket = %id, error = %e, "cannot read a ticket");
                return Ok(None);
            }
        };
        let mut tries = 0;
        loop {
            tries += 1;
            let result = match self.place(&mut ticket).await {
                Ok(place) => self.put(place, post).await.map(|m| m.map(|m| (place, m))),
                Err(e) => Err(e),
            };
            match result {
                Err(e) if tries < TRIES && self.recover(&e, &mut ticket).await => continue,
                other => return other,
            }
        }
    }

    async fn put(&self, place: Place, post: Post<'_>) -> Result<Option<i32>, RequestError> {
        match post {
            Post::Card => Ok(None),
            Post::Copy { from_chat, message } => {
                self.api.copy(from_chat, message, place).await.map(Some)
            }
            Post::Notice(text) => self.say(place, text).await.map(Some),
        }
    }

    /// Sends `text` to `place`, split to fit; returns the last piece's id.
    pub(super) async fn say(&self, place: Place, text: &str) -> Result<i32, RequestError> {
        let mut last = None;
        for piece in split(text, MAX_TEXT) {
            let message = Outgoing {
                html: escape(&piece),
                markup: None,
            };
            last = Some(self.api.post(place, &message).await?);
        }
        Ok(last.unwrap_or_default())
    }

    /// Undoes what `err` says is stale so the next try makes it anew; false
    /// when trying again cannot help.
    async fn recover(self: &Arc<Self>, err: &RequestError, ticket: &mut Ticket) -> bool {
        let chat = self.chat();
        if let Some(to) = migrated(err) {
            self.follow(chat, to);
            return true;
        }
        if thread_gone(err) {
            tracing::warn!(ticket = %ticket.id, "the ticket's topic is gone; making a new one");
            ticket.relay.thread = None;
            *self.forum.lock().unwrap_or_else(|e| e.into_inner()) = None;
            return true;
        }
        if reply_gone(err) {
            tracing::warn!(ticket = %ticket.id, "the ticket's card is gone; posting it again");
            ticket.relay.card_message = None;
            return true;
        }
        if topic_closed(err) {
            if let Some(thread) = thread_of(ticket) {
                return self.api.set_topic_open(chat, thread, true).await.is_ok();
            }
        }
        false
    }

    /// Where the ticket's messages go now: its topic in a forum, else
    /// replies to its card; either is made (and stored) when missing.
    async fn place(&self, ticket: &mut Ticket) -> Result<Place, RequestError> {
        let chat = self.chat();
        let here = ticket.relay.support_chat == Some(chat);
        if self.is_forum(chat).await? {
            if let (true, Some(thread)) = (here, thread_of(ticket)) {
                return Ok(Place {
                    chat,
                    thread: Some(thread),
                    reply_to: None,
                });
            }
            match self.api.create_topic(chat, &card::topic_name(ticket)).await {
                Ok(thread) => {
                    if let Err(e) = self
                        .handoff
                        .set_thread(ticket.id, chat, thread.into())
                        .await
                    {
                        tracing::error!(ticket = %ticket.id, error = %e, "cannot store the ticket's topic");
                    }
                    ticket.relay.support_chat = Some(chat);
                    ticket.relay.thread = Some(thread.into());
                    let place = Place {
                        chat,
                        thread: Some(thread),
                        reply_to: None,
                    };
                    self.post_card(ticket, place).await?;
                    return Ok(place);
                }
                Err(e) if migrated(&e).is_some() => return Err(e),
                Err(e) => {
                    let error = self.api.describe(&e);
                    tracing::warn!(chat, %error, "cannot make a topic (does the bot have \"Manage topics\"?); posting the card in the group");
                    self.remember_forum(chat, false);
                }
            }
        }
        if let (true, Some(card)) = (here, ticket.relay.card_message) {
            if let Ok(card) = i32::try_from(card) {
                return Ok(Place {
                    chat,
                    thread: None,
                    reply_to: Some(card),
                });
            }
        }
        let card = self.post_card(ticket, Place::chat(chat)).await?;
        Ok(Place {
            chat,
            thread: None,
            reply_to: Some(card),
        })
    }

    /// Posts the ticket's card at `place`, the "take" button on its first
    /// piece, and stores it; returns the first piece's id.
    async fn post_card(&self, ticket: &mut Ticket, place: Place) -> Result<i32, RequestError> {
        let content = self.engine.content();
        let transcript = match self.handoff.transcript(ticket.id).await {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(ticket = %ticket.id, error = %e, "cannot read the transcript for the card");
                Vec::new()
            }
        };
        let pieces = card::card(content, self.lang, ticket, &transcript);
        let buttons = card::buttons(content, self.lang, ticket);
        let mut card = None;
        for piece in pieces {
            let first = card.is_none();
            let message = Outgoing {
                html: escape(&piece),
                markup: first.then(|| buttons.clone().into()),
            };
            let at = Place {
                reply_to: card.or(place.reply_to),
                ..place
            };
            let id = self.api.post(at, &message).await?;
            let stored = match card {
                None => {
                    self.handoff
                        .set_card(ticket.id, place.chat, id.into())
                        .await
                }
                Some(_) => {
                    self.handoff
                        .link_message(ticket.id, place.chat, id.into())
                        .await
                }
            };
            if let Err(e) = stored {
                tracing::error!(ticket = %ticket.id, error = %e, "cannot store the card");
            }
            card.get_or_insert(id);
        }
        let card = card.unwrap_or_default();
        ticket.relay.support_chat = Some(place.chat);
        ticket.relay.card_message = Some(card.into());
        tracing::info!(ticket = %ticket.id, chat = place.chat, topic = ?place.thread, "card posted");
        Ok(card)
    }

    /// Whether the group is a forum: remembered for a while; when Telegram
    /// cannot say, topics are tried (and remembered off if they fail).
    async fn is_forum(&self, chat: i64) -> Result<bool, RequestError> {
        if let Some((forum, at)) = *self.forum.lock().unwrap_or_else(|e| e.into_inner()) {
            if at.elapsed() < FORUM_TTL {
                return Ok(forum);
            }
        }
        match self.api.is_forum(chat).await {
            Ok(forum) => {
                self.remember_forum(chat, forum);
                Ok(forum)
            }
            Err(e) if migrated(&e).is_some() => Err(e),
            Err(e) => {
                let error = self.api.describe(&e);
                tracing::warn!(chat, %error, "cannot read the support group; trying topics");
                Ok(true)
            }
        }
    }

    fn remember_forum(&self, chat: i64, forum: bool) {
        if self.chat() == chat {
            *self.forum.lock().unwrap_or_else(|e| e.into_inner()) = Some((forum, Instant::now()));
        }
    }

    fn lock_of(&self, id: TicketId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(id).or_default().clone()
    }
}

/// The ticket's topic, when it has one.
pub(super) fn thread_of(ticket: &Ticket) -> Option<i32> {
    ticket.relay.thread.and_then(|t| i32::try_from(t).ok())
}
