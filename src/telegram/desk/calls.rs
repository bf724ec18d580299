//! The Bot API calls only the support desk makes (copying messages, forum
//! topics, card buttons, answers that say something), retried like every
//! other call, and the refusals the desk knows how to recover from.

use teloxide::prelude::*;
use teloxide::requests::HasPayload;
use teloxide::types::{
    CallbackQueryId, ChatFullInfoKind, ChatFullInfoPublicKind, InlineKeyboardMarkup, MessageId,
    ReplyParameters, ThreadId,
};
use teloxide::{ApiError, RequestError};

use crate::telegram::api::{retrying, Api, Place, QUICK, SEND};

impl Api {
    /// Copies message `message` of `from_chat` to `to` (photos, files and
    /// stickers included, without a "forwarded from" header); returns the
    /// copy's id.
    pub(crate) async fn copy(
        &self,
        from_chat: i64,
        message: i32,
        to: Place,
    ) -> Result<i32, RequestError> {
        let (from, id, chat) = (ChatId(from_chat), MessageId(message), ChatId(to.chat));
        let place = |payload: &mut teloxide::payloads::CopyMessage| {
            payload.message_thread_id = to.thread.map(|t| ThreadId(MessageId(t)));
            payload.reply_parameters = to.reply_to.map(|m| ReplyParameters::new(MessageId(m)));
        };
        retrying(SEND, || async {
            match &self.throttled {
                Some(t) => {
                    let mut request = t.copy_message(chat, from, id);
                    place(request.payload_mut());
                    request.await
                }
                None => {
                    let mut request = self.bot.copy_message(chat, from, id);
                    place(request.payload_mut());
                    request.await
                }
            }
        })
        .await
        .map(|copy| copy.0)
    }

    /// Whether `chat` is a supergroup with forum topics turned on.
    pub(crate) async fn is_forum(&self, chat: i64) -> Result<bool, RequestError> {
        let info = retrying(QUICK, || self.bot.get_chat(ChatId(chat)).send()).await?;
        Ok(match info.kind {
            ChatFullInfoKind::Public(public) => {
                matches!(public.kind, ChatFullInfoPublicKind::Supergroup(ref s) if s.is_forum)
            }
            ChatFullInfoKind::Private(_) => false,
        })
    }

    /// Opens a forum topic named `name` in `chat`; returns its thread id.
    pub(crate) async fn create_topic(&self, chat: i64, name: &str) -> Result<i32, RequestError> {
        retrying(SEND, || {
            self.bot.create_forum_topic(ChatId(chat), name).send()
        })
        .await
        .map(|topic| topic.thread_id.0 .0)
    }

    /// Closes a forum topic, or opens it again (`open`); a topic that is
    /// that way already is no error.
    pub(crate) async fn set_topic_open(
        &self,
        chat: i64,
        thread: i32,
        open: bool,
    ) -> Result<(), RequestError> {
        let (chat, thread) = (ChatId(chat), ThreadId(MessageId(thread)));
        let result = retrying(QUICK, || async {
            if open {
                self.bot.reopen_forum_topic(chat, thread).await
            } else {
                self.bot.close_forum_topic(chat, thread).await
            }
        })
        .await;
        match result {
            Err(RequestError::Api(ApiError::Unknown(d))) if d.contains("TOPIC_NOT_MODIFIED") => {
                Ok(())
            }
            other => other.map(drop),
        }
    }

    /// Replaces the buttons under one of the bot's messages (the same
    /// buttons again is no error).
    pub(crate) async fn set_buttons(
        &self,
        chat: i64,
        message: i32,
        buttons: InlineKeyboardMarkup,
    ) -> Result<(), RequestError> {
        let (chat, id) = (ChatId(chat), MessageId(message));
        match retrying(QUICK, || {
            self.bot
                .edit_message_reply_markup(chat, id)
                .reply_markup(buttons.clone())
                .send()
        })
        .await
        {
            Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
            other => other.map(drop),
        }
    }

    /// Answers a callback query with a short text: a passing notice, or an
    /// alert the presser must dismiss.
    pub(crate) async fn answer_with(
        &self,
        query: &CallbackQueryId,
        text: &str,
        alert: bool,
    ) -> Result<(), RequestError> {
        retrying(QUICK, || {
            self.bot
                .answer_callback_query(query.clone())
                .text(text)
                .show_alert(alert)
                .send()
        })
        .await
        .map(drop)
    }
}

/// The new id of a group that became a supergroup.
pub(super) fn migrated(err: &RequestError) -> Option<i64> {
    match err {
        RequestError::MigrateToChatId(chat) => Some(chat.0),
        _ => None,
    }
}

/// The forum topic is gone (deleted, or never there).
pub(super) fn thread_gone(err: &RequestError) -> bool {
    api_says(
        err,
        &[
            "message thread not found",
            "TOPIC_DELETED",
            "TOPIC_ID_INVALID",
        ],
    )
}

/// The forum topic was closed.
pub(super) fn topic_closed(err: &RequestError) -> bool {
    api_says(err, &["TOPIC_CLOSED"])
}

/// The message to reply to (a card) was deleted.
pub(super) fn reply_gone(err: &RequestError) -> bool {
    matches!(
        err,
        RequestError::Api(ApiError::MessageToReplyNotFound | ApiError::MessageIdInvalid)
    ) || api_says(err, &["message to be replied not found"])
}

fn api_says(err: &RequestError, words: &[&str]) -> bool {
    match err {
        RequestError::Api(ApiError::Unknown(d)) => words.iter().any(|w| d.contains(w)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_the_desk_recovers_from_are_told_apart() {
        let api = |d: &str| RequestError::Api(ApiError::Unknown(d.into()));
        assert!(thread_gone(&api("Bad Request: message thread not found")));
        assert!(thread_gone(&api("Bad Request: TOPIC_DELETED")));
        assert!(topic_closed(&api("Bad Request: TOPIC_CLOSED")));
        assert!(!thread_gone(&api("Bad Request: TOPIC_CLOSED")));
        assert!(reply_gone(&RequestError::Api(
            ApiError::MessageToReplyNotFound
        )));
        assert_eq!(
            migrated(&RequestError::MigrateToChatId(ChatId(-1009))),
            Some(-1009)
        );
        assert_eq!(migrated(&api("Bad Request: chat not found")), None);
    }
}
