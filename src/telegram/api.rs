//! The Bot API calls the front makes, each retried until Telegram takes it:
//! `sendMessage` goes through teloxide's `Throttle` (which waits out a 429
//! itself); edits and callback answers bypass that queue, so their 429s,
//! like 5xx answers and dropped connections for every call, are retried
//! here. Errors are described without the token (reqwest puts the URL, and
//! so the token, in its messages) and without Telegram's raw answer (which
//! would carry message text).

use std::time::Duration;

use teloxide::adaptors::throttle::Throttle;
use teloxide::payloads::SendMessage;
use teloxide::prelude::*;
use teloxide::requests::HasPayload;
use teloxide::types::{CallbackQueryId, MessageId, ParseMode, ReplyParameters, ThreadId};
use teloxide::{ApiError, RequestError};

use super::incoming::Pressed;
use super::render::{escape, Outgoing};
use super::settings::RateLimits;
use super::split::{telegram_len, MAX_TEXT};

/// How often and how patiently a call is retried.
#[derive(Debug, Clone, Copy)]
pub(super) struct Retry {
    attempts: u32,
    first_backoff: Duration,
    max_backoff: Duration,
}

/// A reply must arrive: about two minutes of trying before it is given up.
pub(super) const SEND: Retry = Retry {
    attempts: 10,
    first_backoff: Duration::from_millis(250),
    max_backoff: Duration::from_secs(30),
};

/// A callback query expires within seconds, and an edit is cosmetic.
pub(super) const QUICK: Retry = Retry {
    attempts: 3,
    first_backoff: Duration::from_millis(200),
    max_backoff: Duration::from_secs(2),
};

/// Where a message goes: a chat, the forum topic in it, the message it
/// answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    /// The chat.
    pub chat: i64,
    /// The forum topic, if any.
    pub thread: Option<i32>,
    /// The message this one replies to, if any.
    pub reply_to: Option<i32>,
}

impl Place {
    /// The chat itself: no topic, no reply.
    pub(crate) fn chat(chat: i64) -> Place {
        Place {
            chat,
            thread: None,
            reply_to: None,
        }
    }
}

/// The bot's connection to Telegram.
#[derive(Clone)]
pub(crate) struct Api {
    pub(super) bot: Bot,
    /// The same bot behind teloxide's send queue, when limits are kept.
    pub(super) throttled: Option<Throttle<Bot>>,
}

impl Api {
    /// Wraps `bot`; with `limits`, sends are queued to stay inside them.
    pub(crate) fn new(bot: Bot, limits: Option<RateLimits>) -> Api {
        let throttled = limits.map(|l| Throttle::new_spawn(bot.clone(), l));
        Api { bot, throttled }
    }

    /// Sends one message to a chat, retrying until Telegram takes it or
    /// refuses it for good.
    pub(crate) async fn send(&self, chat: i64, message: &Outgoing) -> Result<(), RequestError> {
        self.post(Place::chat(chat), message).await.map(drop)
    }

    /// Sends one message to `place`; returns its id.
    pub(crate) async fn post(&self, place: Place, message: &Outgoing) -> Result<i32, RequestError> {
        let chat = ChatId(place.chat);
        retrying(SEND, || async {
            match &self.throttled {
                Some(t) => prepare(t.send_message(chat, &message.html), place, message).await,
                None => prepare(self.bot.send_message(chat, &message.html), place, message).await,
            }
        })
        .await
        .map(|m| m.id.0)
    }

    /// Answers a callback query so the customer's app stops its spinner.
    pub(crate) async fn answer(&self, query: &CallbackQueryId) -> Result<(), RequestError> {
        retrying(QUICK, || {
            self.bot.answer_callback_query(query.clone()).send()
        })
        .await
        .map(drop)
    }

    /// Takes the buttons off a pressed message, noting the choice under its
    /// text when the text and the pressed label are known.
    pub(crate) async fn clear_pressed(&self, pressed: &Pressed) -> Result<(), RequestError> {
        let (chat, id) = (ChatId(pressed.chat), MessageId(pressed.message_id));
        let noted = match (&pressed.text, &pressed.label) {
            (Some(text), Some(label)) => Some(format!("{text}\n\n→ {label}")),
            _ => None,
        };
        let result = match noted.filter(|t| telegram_len(t) <= MAX_TEXT) {
            Some(text) => {
                let html = escape(&text);
                retrying(QUICK, || {
                    self.bot
                        .edit_message_text(chat, id, &html)
                        .parse_mode(ParseMode::Html)
                        .send()
                })
                .await
                .map(drop)
            }
            None => retrying(QUICK, || {
                self.bot.edit_message_reply_markup(chat, id).send()
            })
            .await
            .map(drop),
        };
        match result {
            // A second tap on the same message: already cleared.
            Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
            other => other,
        }
    }

    /// `err` for a log line: no token, no raw answer.
    pub(crate) fn describe(&self, err: &RequestError) -> String {
        describe(err, self.bot.token())
    }
}

/// `err` for a log line, with `token` blanked out.
pub(crate) fn describe(err: &RequestError, token: &str) -> String {
    let text = match err {
        RequestError::InvalidJson { .. } => {
            "the Bot API answered with something other than JSON".into()
        }
        RequestError::Network(e) => format!("network error: {}", e.without_url_ref()),
        other => other.to_string(),
    };
    if token.is_empty() {
        text
    } else {
        text.replace(token, "<token>")
    }
}

/// `without_url` on a shared error: the message, minus the URL.
trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(url.as_str(), "<Bot API>");
        }
        text
    }
}

fn prepare<R>(mut request: R, place: Place, message: &Outgoing) -> R
where
    R: HasPayload<Payload = SendMessage>,
{
    let payload = request.payload_mut();
    payload.parse_mode = Some(ParseMode::Html);
    payload.reply_markup = message.markup.clone();
    payload.message_thread_id = place.thread.map(|t| ThreadId(MessageId(t)));
    payload.reply_parameters = place.reply_to.map(|m| ReplyParameters::new(MessageId(m)));
    request
}

/// Runs `call` until it succeeds, fails for good, or runs out of attempts.
pub(super) async fn retrying<T, F, Fut>(retry: Retry, mut call: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RequestError>>,
{
    let mut backoff = retry.first_backoff;
    let mut attempt = 1;
    loop {
        let err = match call().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let wait = match &err {
            RequestError::RetryAfter(secs) => secs.duration(),
            e if transient(e) => backoff,
            _ => return Err(err),
        };
        if attempt >= retry.attempts {
            return Err(err);
        }
        tracing::debug!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            "Bot API call failed; retrying"
        );
        tokio::time::sleep(wait).await;
        backoff = (backoff * 2).min(retry.max_backoff);
        attempt += 1;
    }
}

/// Failures worth another try: the network, a garbled answer, or a server
/// error. Telegram words every client error with a fixed prefix ("Bad
/// Request:", "Forbidden:" ...), so an unknown description without one is a
/// 5xx such as "Bad Gateway" or "Internal Server Error".
fn transient(err: &RequestError) -> bool {
    const CLIENT_ERRORS: &[&str] = &[
        "Bad Request",
        "Forbidden",
        "Unauthorized",
        "Not Found",
        "Conflict",
        "Too Many Requests",
    ];
    match err {
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => true,
        RequestError::Api(ApiError::Unknown(d)) => !CLIENT_ERRORS.iter().any(|p| d.starts_with(p)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn server_errors_are_transient_and_client_errors_are_not() {
        let api = |d: &str| RequestError::Api(ApiError::Unknown(d.into()));
        assert!(transient(&api("Bad Gateway")));
        assert!(transient(&api("Internal Server Error")));
        assert!(!transient(&api("Bad Request: can't parse entities: x")));
        assert!(!transient(&RequestError::Api(ApiError::BotBlocked)));
    }

    #[test]
    fn the_token_never_reaches_a_description() {
        let err = RequestError::Api(ApiError::Unknown("oops 123:SECRET".into()));
        assert!(!describe(&err, "123:SECRET").contains("SECRET"));
    }

    const FAST: Retry = Retry {
        attempts: 5,
        first_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
    };

    #[tokio::test]
    async fn a_call_is_retried_until_it_succeeds() {
        let tries = AtomicU32::new(0);
        let result = retrying(FAST, || async {
            match tries.fetch_add(1, Ordering::SeqCst) {
                0 => Err(RequestError::RetryAfter(
                    teloxide::types::Seconds::from_seconds(0),
                )),
                1 => Err(RequestError::Api(ApiError::Unknown("Bad Gateway".into()))),
                _ => Ok(7),
            }
        })
        .await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(tries.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_refusal_is_not_retried() {
        let tries = AtomicU32::new(0);
        let result: Result<(), _> = retrying(FAST, || async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(RequestError::Api(ApiError::MessageIsTooLong))
        })
        .await;
        assert!(result.is_err());
        assert_eq!(tries.load(Ordering::SeqCst), 1);
    }
}
