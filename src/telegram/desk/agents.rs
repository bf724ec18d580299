//! The agents' side: what they write in a ticket's topic or as a reply to
//! its card or messages goes to that customer; `/resolve` and `/tickets`;
//! the "take" button. Only the support group is read, and a message is
//! routed by the stored topic and message mapping alone, never by what a
//! forwarded message claims, so no message reaches the wrong customer.

use std::sync::Arc;

use teloxide::types::CallbackQueryId;

use crate::callback::CallbackData;
use crate::handoff::{Assign, Resolve, Role, Status, Ticket};
use crate::telegram::api::Place;
use crate::telegram::group::{GroupNews, GroupPost, GroupPress, Said};
use crate::telegram::incoming::Pressed;
use crate::telegram::render::{escape, render, Outgoing};

use super::card;
use super::relay::Desk;

/// The commands agents use in the support group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Resolve,
    Tickets,
    Other,
}

impl Desk {
    /// Handles news from a group; anything not from the support group is
    /// ignored.
    pub(crate) async fn on_news(self: &Arc<Self>, news: GroupNews) {
        match news {
            GroupNews::Migrated { from, to } => self.follow(from, to),
            GroupNews::Post(post) if post.chat == self.chat() => self.on_post(post).await,
            GroupNews::Post(post) => {
                tracing::debug!(chat = post.chat, "a message in another group; ignored")
            }
        }
    }

    async fn on_post(&self, post: GroupPost) {
        if let Said::Text(text) = &post.said {
            if text.starts_with('/') {
                match command(text, &self.username) {
                    Some(Command::Resolve) => self.resolve(&post).await,
                    Some(Command::Tickets) => self.tickets(&post).await,
                    Some(Command::Other) => self.reply(&post, "support_commands", &[]).await,
                    None => {}
                }
                return;
            }
        }
        let Some(ticket) = self.route(&post).await else {
            return;
        };
        let id = ticket.id.to_string();
        if !ticket.is_open() {
            self.reply(&post, "support_ticket_closed", &[("ticket", &id)])
                .await;
            return;
        }
        if self.to_customer(&ticket, &post).await {
            self.delivered(&ticket, &post).await;
        } else {
            self.reply(&post, "support_undelivered", &[("ticket", &id)])
                .await;
        }
    }

    /// The ticket a post belongs to: by its topic, else by the message it
    /// replies to.
    async fn route(&self, post: &GroupPost) -> Option<Ticket> {
        let by_thread = async {
            match post.thread {
                Some(t) => self.handoff.ticket_by_thread(post.chat, t.into()).await,
                None => Ok(None),
            }
        };
        let found = match by_thread.await {
            Ok(None) => match post.reply_to {
                Some(m) => self.handoff.ticket_by_message(post.chat, m.into()).await,
                None => Ok(None),
            },
            other => other,
        };
        found.unwrap_or_else(|e| {
            tracing::error!(chat = post.chat, error = %e, "cannot look up a message's ticket");
            None
        })
    }

    /// Sends the post to the ticket's customer, marked as from customer
    /// service; true when it arrived.
    async fn to_customer(&self, ticket: &Ticket, post: &GroupPost) -> bool {
        let customer = ticket.chat;
        let content = self.engine.content();
        let result = match &post.said {
            Said::Text(text) => {
                let reply = self.engine.agent_message(ticket, text);
                let mut result = Ok(());
                for message in render(&[reply]) {
                    result = self.api.send(customer, &message).await;
                    if result.is_err() {
                        break;
                    }
                }
                result
            }
            Said::Media { .. } => {
                let marker = Outgoing {
                    html: escape(content.text("agent_media", ticket.lang)),
                    markup: None,
                };
                match self.api.send(customer, &marker).await {
                    Ok(()) => self
                        .api
                        .copy(post.chat, post.message_id, Place::chat(customer))
                        .await
                        .map(drop),
                    Err(e) => Err(e),
                }
            }
        };
        match result {
            Ok(()) => true,
            Err(e) => {
                let error = self.api.describe(&e);
                tracing::error!(ticket = %ticket.id, %error, "cannot deliver an agent's message");
                false
            }
        }
    }

    /// Notes the answer: its time, the transcript, and the post as part of
    /// the ticket (so a reply to it routes there too).
    async fn delivered(&self, ticket: &Ticket, post: &GroupPost) {
        let said = match &post.said {
            Said::Text(t) => t.clone(),
            Said::Media { kind, caption } => match caption {
                Some(c) => format!("[{kind}] {c}"),
                None => format!("[{kind}]"),
            },
        };
        let id = ticket.id;
        let results = [
            self.handoff.note_agent_reply(id).await.map(drop),
            self.handoff
                .record_turn(ticket.chat, Role::Agent, &said)
                .await,
            self.handoff
                .link_message(id, post.chat, post.message_id.into())
                .await
                .map(drop),
        ];
        for e in results.into_iter().filter_map(Result::err) {
            tracing::warn!(ticket = %id, error = %e, "cannot note an agent's answer");
        }
    }

    /// `/resolve`: the customer is told and asked to rate, the group is
    /// told, the card and topic are closed.
    async fn resolve(&self, post: &GroupPost) {
        let Some(ticket) = self.route(post).await else {
            return self.reply(post, "support_resolve_where", &[]).await;
        };
        let id = ticket.id.to_string();
        match self.handoff.resolve(ticket.id).await {
            Ok(Resolve::Resolved(t)) => {
                tracing::info!(ticket = %t.id, "resolved by an agent");
                for message in render(&[self.engine.resolution_notice(&t)]) {
                    if let Err(e) = self.api.send(t.chat, &message).await {
                        let error = self.api.describe(&e);
                        tracing::error!(ticket = %t.id, %error, "cannot tell the customer their ticket is resolved");
                        break;
                    }
                }
                let vars = [("ticket", id.as_str()), ("agent", post.agent.as_str())];
                self.reply(post, "support_resolved", &vars).await;
                self.close(t.id).await;
            }
            Ok(Resolve::AlreadyResolved(_)) => {
                self.reply(post, "support_already_resolved", &[("ticket", &id)])
                    .await
            }
            Ok(Resolve::NotFound) => self.reply(post, "support_resolve_where", &[]).await,
            Err(e) => tracing::error!(ticket = %id, error = %e, "cannot resolve a ticket"),
        }
    }

    /// `/tickets`: every ticket not resolved yet, with its age and agent.
    async fn tickets(&self, post: &GroupPost) {
        let mut tickets = Vec::new();
        for status in [Status::Open, Status::Assigned] {
            match self.handoff.list(Some(status)).await {
                Ok(t) => tickets.extend(t),
                Err(e) => return tracing::error!(error = %e, "cannot list tickets"),
            }
        }
        tickets.sort_by_key(|t| t.id);
        let text = card::list(
            self.engine.content(),
            self.lang,
            &tickets,
            self.handoff.now(),
        );
        self.say_to(post, &text).await;
    }

    /// A press of a card's "take" button in the support group: the first
    /// agent gets the ticket, later ones learn who has it.
    pub(crate) async fn on_press(
        &self,
        query: &CallbackQueryId,
        pressed: Option<&Pressed>,
        press: &GroupPress,
    ) {
        let in_support = pressed.is_some_and(|p| p.chat == self.chat());
        let take = match CallbackData::decode(&press.data) {
            Some(CallbackData::Take(id)) if in_support => id,
            _ => {
                if let Err(e) = self.api.answer(query).await {
                    tracing::debug!(error = %self.api.describe(&e), "cannot answer a press");
                }
                return;
            }
        };
        let content = self.engine.content();
        let id = take.to_string();
        let (text, alert, ticket) = match self.handoff.assign(take, &press.agent).await {
            Ok(Assign::Assigned(t)) => {
                tracing::info!(ticket = %t.id, "taken by an agent");
                let text = content.text_with("support_take_ok", self.lang, &[("ticket", &id)]);
                (text, false, Some(t))
            }
            Ok(Assign::AlreadyAssigned { to }) => {
                let vars = [("ticket", id.as_str()), ("agent", to.as_str())];
                (
                    content.text_with("support_take_already", self.lang, &vars),
                    true,
                    None,
                )
            }
            Ok(Assign::Resolved) => {
                let text =
                    content.text_with("support_take_resolved", self.lang, &[("ticket", &id)]);
                (text, true, self.handoff.by_id(take).await.ok().flatten())
            }
            Ok(Assign::NotFound) => (
                content.text("support_take_unknown", self.lang).into(),
                true,
                None,
            ),
            Err(e) => {
                tracing::error!(ticket = %id, error = %e, "cannot assign a ticket");
                (
                    content.text("service_unavailable", self.lang).into(),
                    true,
                    None,
                )
            }
        };
        if let Err(e) = self.api.answer_with(query, &text, alert).await {
            tracing::warn!(error = %self.api.describe(&e), "cannot answer a press of take");
        }
        if let (Some(t), Some(p)) = (ticket, pressed) {
            let buttons = card::buttons(content, self.lang, &t);
            if let Err(e) = self.api.set_buttons(p.chat, p.message_id, buttons).await {
                tracing::warn!(ticket = %id, error = %self.api.describe(&e), "cannot update the card");
            }
        }
    }

    /// Answers `post` with the text `key`, where it was written.
    async fn reply(&self, post: &GroupPost, key: &str, vars: &[(&str, &str)]) {
        let text = self.engine.content().text_with(key, self.lang, vars);
        self.say_to(post, &text).await;
    }

    async fn say_to(&self, post: &GroupPost, text: &str) {
        let place = Place {
            chat: post.chat,
            thread: post.thread,
            reply_to: Some(post.message_id),
        };
        if let Err(e) = self.say(place, text).await {
            let error = self.api.describe(&e);
            tracing::warn!(chat = post.chat, %error, "cannot answer in the support group");
        }
    }
}

/// The command `text` names, if it is for this bot (`username`): not when
/// it is addressed to another bot with `/command@other_bot`.
fn command(text: &str, username: &str) -> Option<Command> {
    let word = text
        .strip_prefix('/')?
        .split_whitespace()
        .next()
        .unwrap_or_default();
    let (name, to) = word.split_once('@').unwrap_or((word, ""));
    if !to.is_empty() && !to.eq_ignore_ascii_case(username) {
        return None;
    }
    Some(match name.to_ascii_lowercase().as_str() {
        "resolve" => Command::Resolve,
        "tickets" => Command::Tickets,
        _ => Command::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_for_this_bot_are_read_and_other_bots_are_left_alone() {
        let bot = "jiebei_bot";
        assert_eq!(command("/resolve", bot), Some(Command::Resolve));
        assert_eq!(command("/Tickets now", bot), Some(Command::Tickets));
        assert_eq!(command("/resolve@Jiebei_Bot", bot), Some(Command::Resolve));
        assert_eq!(command("/resolve@other_bot", bot), None);
        assert_eq!(command("/start", bot), Some(Command::Other));
        assert_eq!(command("resolve", bot), None);
    }
}
