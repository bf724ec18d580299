//! One update, start to finish: translate it, skip it if it was handled
//! before, answer and tidy a pressed button, ask the engine, send replies,
//! and hand tickets and group news to the support desk. Nothing here stops
//! the bot: failures are logged with their chat.

use std::sync::Arc;
use std::time::Instant;

use teloxide::types::Update;
use teloxide::{ApiError, RequestError};

use crate::engine::{Engine, Incoming};

use super::api::Api;
use super::desk::Desk;
use super::incoming::{self, Event};
use super::render::render;
use super::updates_log::UpdateLog;

/// What handling an update needs.
pub(crate) struct Front {
    pub(crate) engine: Engine,
    pub(crate) api: Api,
    pub(crate) updates: Arc<dyn UpdateLog>,
    /// The support group's desk, when tickets are relayed to one.
    pub(crate) desk: Option<Arc<Desk>>,
}

impl Front {
    /// Handles `update` on a task of its own, so that even a panic while
    /// handling it is logged and the chat's later updates still run.
    pub(crate) async fn handle(self: Arc<Self>, update: Update) {
        let update_id = i64::from(update.id.0);
        let chat = update.chat().map(|c| c.id.0);
        let task = tokio::spawn(async move { self.handle_here(update).await });
        if let Err(e) = task.await {
            tracing::error!(update_id, chat, error = %e, "handling an update failed");
        }
    }

    async fn handle_here(&self, update: Update) {
        let started = Instant::now();
        let update_id = i64::from(update.id.0);
        let Some(event) = incoming::event(&update) else {
            tracing::debug!(update_id, "update ignored");
            return;
        };
        match self.updates.handled(update_id).await {
            Ok(false) => {}
            Ok(true) => {
                tracing::info!(update_id, "update was already handled; skipped");
                return;
            }
            Err(e) => {
                tracing::warn!(update_id, error = %e, "cannot check the update log; handling")
            }
        }
        self.dispatch(update_id, event, started).await;
        // Marked after the replies went out: a crash before this line
        // means Telegram delivers the update again and it is answered.
        if let Err(e) = self.updates.mark_handled(update_id).await {
            tracing::warn!(update_id, error = %e, "cannot record the update as handled");
        }
    }

    async fn dispatch(&self, update_id: i64, event: Event, started: Instant) {
        match event {
            Event::Message {
                incoming,
                message_id,
            } => {
                self.converse(update_id, incoming, Some(message_id), started)
                    .await
            }
            Event::Group(news) => match &self.desk {
                Some(desk) => desk.on_news(news).await,
                None => tracing::debug!(update_id, "a group message; ignored"),
            },
            Event::Button {
                query,
                pressed,
                in_group: Some(press),
                ..
            } => match &self.desk {
                Some(desk) => desk.on_press(&query, pressed.as_ref(), &press).await,
                None => {
                    if let Err(e) = self.api.answer(&query).await {
                        let error = self.api.describe(&e);
                        tracing::warn!(update_id, %error, "cannot answer the callback query");
                    }
                }
            },
            Event::Button {
                query,
                pressed,
                incoming,
                in_group: None,
            } => {
                let chat = pressed.as_ref().map(|p| p.chat);
                if let Err(e) = self.api.answer(&query).await {
                    let error = self.api.describe(&e);
                    tracing::warn!(update_id, chat, %error, "cannot answer the callback query");
                }
                if let Some(p) = &pressed {
                    if let Err(e) = self.api.clear_pressed(p).await {
                        let error = self.api.describe(&e);
                        tracing::warn!(update_id, chat, %error, "cannot clear the pressed buttons");
                    }
                }
                if let Some(incoming) = incoming {
                    self.converse(update_id, incoming, None, started).await;
                }
            }
        }
    }

    /// Runs the engine on `incoming` (the message `message_id`, when it was
    /// a message), sends what it says in order, then does in the support
    /// group what the turn asked.
    async fn converse(
        &self,
        update_id: i64,
        incoming: Incoming,
        message_id: Option<i32>,
        started: Instant,
    ) {
        let chat = incoming.chat;
        let kind = incoming::kind(&incoming);
        let handled = self.engine.handle_full(incoming).await;
        let messages = render(&handled.replies);
        let mut sent = 0;
        for message in &messages {
            match self.api.send(chat, message).await {
                Ok(()) => sent += 1,
                Err(e) => {
                    let error = self.api.describe(&e);
                    tracing::error!(update_id, chat, %error, "a reply could not be sent");
                    if unreachable_chat(&e) {
                        break;
                    }
                }
            }
        }
        match (handled.ticket, &self.desk) {
            (Some(event), Some(desk)) => desk.on_ticket(event, message_id).await,
            (Some(_), None) => {
                tracing::error!(update_id, chat, "a ticket event without a support group")
            }
            (None, _) => {}
        }
        let ms = started.elapsed().as_secs_f64() * 1e3;
        tracing::info!(
            update_id,
            chat,
            kind,
            sent,
            of = messages.len(),
            ms,
            "update handled"
        );
    }
}

/// Errors after which no later message to the chat can arrive either.
fn unreachable_chat(err: &RequestError) -> bool {
    matches!(
        err,
        RequestError::Api(
            ApiError::BotBlocked
                | ApiError::UserDeactivated
                | ApiError::ChatNotFound
                | ApiError::BotKicked
                | ApiError::CantInitiateConversation
        )
    )
}
