//! A fake Telegram Bot API on loopback, for driving the real bot in tests.
//!
//! It answers the methods the bot uses the way Telegram does, including the
//! checks Telegram makes (text length after entity parsing, HTML entities,
//! callback data of at most 64 bytes, `getUpdates` offsets, one poller at a
//! time, webhooks with a secret token), records every call, and lets a test
//! inject updates, wait for calls and make the next calls fail (429 with
//! `retry_after`, a 5xx, a dropped connection).
//!
//! Point the bot at [`FakeBotApi::api_url`] (teloxide appends
//! `/bot<token>/<method>`, just as with `TELOXIDE_API_URL`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::Notify;

use super::html;
use super::methods;
use super::updates::{merge, Group, Media, Person};

/// The token the fake accepts.
pub const TOKEN: &str = "123456:TEST-token";
/// The bot's own user id.
pub const BOT_ID: i64 = 1_000;
/// How long a test waits for the bot before failing.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// One call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method, as in the URL (`sendMessage`).
    pub method: String,
    /// The parameters it sent.
    pub params: Value,
    /// `Ok(result)` or `Err((error_code, description))` as answered.
    pub outcome: Result<Value, (u16, String)>,
    /// When the fake received it.
    pub at: Instant,
}

impl Call {
    /// The `chat_id` parameter, if any.
    pub fn chat(&self) -> Option<i64> {
        self.params["chat_id"].as_i64()
    }

    /// Whether Telegram accepted it.
    pub fn ok(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// A fault the next calls of a method meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 Too Many Requests with `parameters.retry_after` seconds.
    TooManyRequests {
        /// Seconds the bot must wait.
        retry_after: u32,
    },
    /// A 5xx answer (Telegram's 502 Bad Gateway, say).
    ServerError(u16),
    /// The connection breaks before an answer arrives.
    Disconnect,
}

/// A message as a chat shows it now (edits applied).
#[derive(Debug, Clone)]
pub struct Message {
    /// Its id.
    pub id: i64,
    /// The chat it is in.
    pub chat: i64,
    /// Sent by the bot (else by a person).
    pub from_bot: bool,
    /// The visible text (entities parsed).
    pub text: String,
    /// The inline keyboard: rows of `(label, callback_data)`.
    pub buttons: Vec<Vec<(String, String)>>,
    /// The forum topic it was posted in.
    pub thread: Option<i64>,
    /// The message it replies to.
    pub reply_to: Option<i64>,
    /// The message it is a copy of (`copyMessage`): its chat and id.
    pub copied_from: Option<(i64, i64)>,
    /// The `Message` object sent to the bot.
    json: Value,
}

impl Message {
    /// The `Message` object as sent to the bot.
    pub(super) fn json(&self) -> Value {
        self.json.clone()
    }

    /// Every button's callback data, row by row.
    pub fn callback_data(&self) -> Vec<String> {
        self.buttons
            .iter()
            .flatten()
            .map(|(_, data)| data.clone())
            .collect()
    }

    /// The callback data of the button labelled `label`.
    pub fn button(&self, label: &str) -> Option<String> {
        self.buttons
            .iter()
            .flatten()
            .find(|(l, _)| l == label)
            .map(|(_, d)| d.clone())
    }
}

/// What kind of chat an id is.
#[derive(Debug, Clone)]
enum ChatKind {
    Private(Person),
    Group(Group),
}

impl ChatKind {
    fn json(&self) -> Value {
        match self {
            ChatKind::Private(p) => p.private_chat_json(),
            ChatKind::Group(g) => g.chat_json(),
        }
    }
}

/// The webhook Telegram was asked to deliver to.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// Where updates go.
    pub url: String,
    /// The `X-Telegram-Bot-Api-Secret-Token` sent with each.
    pub secret: Option<String>,
}

#[derive(Default)]
pub(super) struct World {
    next_update_id: i64,
    next_message_id: i64,
    next_thread_id: i64,
    /// Updates not yet confirmed, oldest first.
    pending: VecDeque<(i64, Value)>,
    /// Every update ever injected, for redelivery.
    history: Vec<(i64, Value)>,
    /// When each update was injected.
    injected_at: HashMap<i64, Instant>,
    calls: Vec<Call>,
    faults: HashMap<String, VecDeque<Fault>>,
    chats: HashMap<i64, ChatKind>,
    messages: HashMap<(i64, i64), Message>,
    /// Reply keyboard shown under each chat's input field.
    reply_keyboards: HashMap<i64, Value>,
    /// Callback queries sent and not yet answered.
    open_queries: HashSet<String>,
    topics: HashMap<i64, HashSet<i64>>,
    /// Topics closed with `closeForumTopic`, as `(chat, thread)`.
    closed_topics: HashSet<(i64, i64)>,
    /// Groups that became supergroups: old id to new id.
    migrated: HashMap<i64, i64>,
    /// Private chats whose person blocked the bot.
    blocked: HashSet<i64>,
    /// Generation of the `getUpdates` call allowed to wait; older ones get 409.
    poll_generation: u64,
    webhook: Option<Webhook>,
    commands: Vec<Value>,
    /// Where every call is also sent, for a watcher that must not poll.
    watcher: Option<tokio::sync::mpsc::UnboundedSender<Call>>,
}

pub(super) struct Shared {
    world: Mutex<World>,
    /// Woken on every new update and every recorded call.
    changed: Notify,
    client: reqwest::Client,
}

impl Shared {
    pub(super) fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().expect("fake Bot API state lock")
    }
}

/// The running fake; dropping it stops the server.
pub struct FakeBotApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeBotApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeBotApi {
    /// Starts the fake on `127.0.0.1:0`.
    pub async fn start() -> FakeBotApi {
        let shared = Arc::new(Shared {
            world: Mutex::new(World {
                next_update_id: 700_000,
                next_message_id: 1,
                next_thread_id: 2,
                ..World::default()
            }),
            changed: Notify::new(),
            client: reqwest::Client::new(),
        });
        let app = Router::new()
            .route("/{bot}/{method}", post(answer))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake Bot API server");
        });
        let delivery = Arc::downgrade(&shared);
        tokio::spawn(deliver_to_webhook(delivery));
        FakeBotApi {
            addr,
            shared,
            server,
        }
    }

    /// The base URL to give the bot (as `TELOXIDE_API_URL` would).
    pub fn api_url(&self) -> reqwest::Url {
        format!("http://{}/", self.addr)
            .parse()
            .expect("loopback URL")
    }

    /// The full URL of `method`, for tests that call the API by hand.
    pub fn method_url(&self, method: &str) -> String {
        format!("http://{}/bot{TOKEN}/{method}", self.addr)
    }

    /// Adds a group or supergroup the bot is a member of.
    pub fn add_group(&self, group: &Group) {
        self.shared
            .world()
            .chats
            .insert(group.id, ChatKind::Group(group.clone()));
    }

    /// Injects a raw update (`{"message": {...}}` without `update_id`);
    /// returns its `update_id`.
    pub fn push_update(&self, update: Value) -> i64 {
        let id = {
            let mut w = self.shared.world();
            w.next_update_id += 1;
            let id = w.next_update_id;
            let update = merge(json!({ "update_id": id }), update);
            w.pending.push_back((id, update.clone()));
            w.history.push((id, update));
            w.injected_at.insert(id, Instant::now());
            id
        };
        self.shared.changed.notify_waiters();
        id
    }

    /// `person` sends `text` in their private chat; returns the update id.
    pub fn send_text(&self, person: &Person, text: &str) -> i64 {
        let message = self.person_message(person, None, json!({ "text": text }));
        self.push_update(json!({ "message": message }))
    }

    /// `person` sends a sticker, photo ... in their private chat.
    pub fn send_media(&self, person: &Person, media: Media) -> i64 {
        let message = self.person_message(person, None, media.fields());
        self.push_update(json!({ "message": message }))
    }

    /// `person` shares a contact card (theirs when `user_id` is their id).
    pub fn share_contact(&self, person: &Person, phone: &str, user_id: Option<i64>) -> i64 {
        let mut contact = json!({ "phone_number": phone, "first_name": person.first_name });
        if let Some(id) = user_id {
            contact["user_id"] = json!(id);
        }
        let message = self.person_message(person, None, json!({ "contact": contact }));
        self.push_update(json!({ "message": message }))
    }

    /// `person` edits an earlier message of theirs to `text`.
    pub fn edit_text(&self, person: &Person, message_id: i64, text: &str) -> i64 {
        let mut message = self.person_message(person, None, json!({ "text": text }));
        message["message_id"] = json!(message_id);
        message["edit_date"] = message["date"].clone();
        self.push_update(json!({ "edited_message": message }))
    }

    /// `person` writes `text` in `group` (in a forum topic when `thread` is set).
    pub fn send_group_text(
        &self,
        group: &Group,
        person: &Person,
        thread: Option<i64>,
        text: &str,
    ) -> i64 {
        self.add_group(group);
        let mut fields = json!({ "text": text });
        if let Some(t) = thread {
            fields["message_thread_id"] = json!(t);
            fields["is_topic_message"] = json!(true);
        }
        let message = self.person_message(person, Some(group.id), fields);
        self.push_update(json!({ "message": message }))
    }

    /// `person` sends `fields` (text, a photo ...) in `group`: in a forum
    /// topic when `thread` is set, as a reply to `reply_to` when set (the
    /// replied message must exist there). Returns the message's id.
    pub fn send_group_message(
        &self,
        group: &Group,
        person: &Person,
        thread: Option<i64>,
        reply_to: Option<i64>,
        fields: Value,
    ) -> i64 {
        self.add_group(group);
        let mut fields = fields;
        if let Some(t) = thread {
            fields["message_thread_id"] = json!(t);
            fields["is_topic_message"] = json!(true);
        }
        if let Some(r) = reply_to {
            let replied = self
                .message(group.id, r)
                .unwrap_or_else(|| panic!("no message {r} in group {}", group.id));
            fields["reply_to_message"] = replied.json;
            if thread.is_none() && group.supergroup {
                // Telegram names a reply's thread in every supergroup.
                fields["message_thread_id"] = json!(r);
            }
        }
        let message = self.person_message(person, Some(group.id), fields);
        let id = message["message_id"].as_i64().expect("an id");
        self.push_update(json!({ "message": message }));
        id
    }

    /// Someone deletes message `id` of `chat`.
    pub fn delete_message(&self, chat: i64, id: i64) {
        self.shared.world().messages.remove(&(chat, id));
    }

    /// `person` blocks the bot: sending to them is refused from now on.
    pub fn block(&self, person: &Person) {
        self.shared.world().blocked.insert(person.id);
    }

    /// Someone deletes the forum topic `thread` of `chat`.
    pub fn delete_topic(&self, chat: i64, thread: i64) {
        let mut w = self.shared.world();
        if let Some(topics) = w.topics.get_mut(&chat) {
            topics.remove(&thread);
        }
    }

    /// Whether the forum topic `thread` of `chat` is closed.
    pub fn topic_closed(&self, chat: i64, thread: i64) -> bool {
        self.shared.world().closed_topics.contains(&(chat, thread))
    }

    /// The group `old` becomes the supergroup `new`, as Telegram does it:
    /// a service message in each, and calls to the old id refused with the
    /// new one. `person` is the administrator who did it.
    pub fn migrate(&self, old: &Group, new: &Group, person: &Person) {
        self.add_group(old);
        self.add_group(new);
        self.shared.world().migrated.insert(old.id, new.id);
        let to = self.person_message(
            person,
            Some(old.id),
            json!({ "migrate_to_chat_id": new.id }),
        );
        self.push_update(json!({ "message": to }));
        let from = self.person_message(
            person,
            Some(new.id),
            json!({ "migrate_from_chat_id": old.id }),
        );
        self.push_update(json!({ "message": from }));
    }

    /// `person` presses the button carrying `data` under the bot's message
    /// `message_id`; panics if that message has no such button (a person
    /// can only press what they see). Returns the update id.
    pub fn press(&self, person: &Person, chat: i64, message_id: i64, data: &str) -> i64 {
        let shown = self
            .message(chat, message_id)
            .unwrap_or_else(|| panic!("no message {message_id} in chat {chat}"));
        assert!(
            shown.callback_data().iter().any(|d| d == data),
            "message {message_id} shows no button {data:?}; it shows {:?}",
            shown.buttons
        );
        self.press_unchecked(person, chat, message_id, data)
    }

    /// Like [`press`](Self::press) without checking the button is shown
    /// (a forged or outdated client).
    pub fn press_unchecked(&self, person: &Person, chat: i64, message_id: i64, data: &str) -> i64 {
        let (query_id, message) = {
            let mut w = self.shared.world();
            let message = w
                .messages
                .get(&(chat, message_id))
                .map(|m| m.json.clone())
                .unwrap_or_else(|| json!({ "message_id": message_id, "chat": { "id": chat, "type": "private" }, "date": 0 }));
            let query_id = format!("q{}", w.next_update_id + 1);
            w.open_queries.insert(query_id.clone());
            (query_id, message)
        };
        self.push_update(json!({ "callback_query": {
            "id": query_id,
            "from": person.user_json(),
            "message": message,
            "chat_instance": format!("ci{chat}"),
            "data": data,
        }}))
    }

    /// Puts every update from `update_id` on back in the queue, as Telegram
    /// does with a batch the bot never confirmed before it crashed.
    pub fn redeliver_from(&self, update_id: i64) {
        {
            let mut w = self.shared.world();
            let again: Vec<_> = w
                .history
                .iter()
                .filter(|(id, _)| *id >= update_id)
                .cloned()
                .collect();
            let pending: HashSet<i64> = w.pending.iter().map(|(id, _)| *id).collect();
            let mut merged: Vec<_> = w.pending.drain(..).collect();
            merged.extend(again.into_iter().filter(|(id, _)| !pending.contains(id)));
            merged.sort_by_key(|(id, _)| *id);
            w.pending = merged.into();
        }
        self.shared.changed.notify_waiters();
    }

    /// Makes the next `times` calls of `method` meet `fault`.
    pub fn fail_next(&self, method: &str, times: usize, fault: Fault) {
        let mut w = self.shared.world();
        let queue = w.faults.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat_n(fault, times));
    }

    /// A stream of every call from now on (one watcher at a time; a new
    /// one replaces the old). For load tests that cannot afford to poll.
    ///
    /// Once watched, calls are streamed, not kept: [`calls`](Self::calls)
    /// stays empty, so a long load test does not grow a list (and copy it
    /// whole on each reallocation, under the lock every call takes).
    pub fn watch(&self) -> tokio::sync::mpsc::UnboundedReceiver<Call> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.shared.world().watcher = Some(tx);
        rx
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.world().calls.clone()
    }

    /// Every call of `method` so far.
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.shared
            .world()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// When the update `update_id` was injected. Asking forgets it: a load
    /// test asks once per update.
    pub fn injected_at(&self, update_id: i64) -> Option<Instant> {
        self.shared.world().injected_at.remove(&update_id)
    }

    /// Waits until `done` holds (it may call any method of the fake);
    /// panics after [`PATIENCE`] with the calls seen.
    pub async fn wait_until(&self, what: &str, done: impl Fn(&FakeBotApi) -> bool) {
        self.wait_until_within(what, PATIENCE, done).await
    }

    /// [`wait_until`](Self::wait_until) with a patience of its own.
    pub async fn wait_until_within(
        &self,
        what: &str,
        patience: Duration,
        done: impl Fn(&FakeBotApi) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if done(self) {
                return;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() && !done(self) {
                let calls = self.calls();
                let seen: Vec<_> = calls.iter().map(|c| (&c.method, &c.params)).collect();
                panic!("timed out waiting for {what}; calls so far: {seen:#?}");
            }
        }
    }

    /// Waits until `chat` has received `n` messages from the bot in all;
    /// returns them, oldest first.
    pub async fn wait_for_messages(&self, chat: i64, n: usize) -> Vec<Message> {
        self.wait_for_messages_within(chat, n, PATIENCE).await
    }

    /// [`wait_for_messages`](Self::wait_for_messages) with a patience of its own.
    pub async fn wait_for_messages_within(
        &self,
        chat: i64,
        n: usize,
        patience: Duration,
    ) -> Vec<Message> {
        let what = format!("{n} messages to chat {chat}");
        self.wait_until_within(&what, patience, |api| api.bot_messages(chat).len() >= n)
            .await;
        self.bot_messages(chat)
    }

    /// Waits until `n` calls of `method` have been made; returns them all.
    pub async fn wait_for_calls(&self, method: &str, n: usize) -> Vec<Call> {
        let what = format!("{n} calls of {method}");
        self.wait_until(&what, |api| api.calls_to(method).len() >= n)
            .await;
        self.calls_to(method)
    }

    /// Waits until every update injected so far has been confirmed (the bot
    /// asked for updates past it, or its webhook took it).
    pub async fn wait_until_confirmed(&self) {
        self.wait_until("every update confirmed", |api| {
            api.shared.world().pending.is_empty()
        })
        .await;
    }

    /// The bot's messages in `chat` as they look now, oldest first.
    pub fn bot_messages(&self, chat: i64) -> Vec<Message> {
        let w = self.shared.world();
        let mut list: Vec<_> = w
            .messages
            .values()
            .filter(|m| m.chat == chat && m.from_bot)
            .cloned()
            .collect();
        list.sort_by_key(|m| m.id);
        list
    }

    /// The messages people sent in `chat`, oldest first.
    pub fn person_messages(&self, chat: i64) -> Vec<Message> {
        let w = self.shared.world();
        let mut list: Vec<_> = w
            .messages
            .values()
            .filter(|m| m.chat == chat && !m.from_bot)
            .cloned()
            .collect();
        list.sort_by_key(|m| m.id);
        list
    }

    /// One message as it looks now.
    pub fn message(&self, chat: i64, message_id: i64) -> Option<Message> {
        self.shared
            .world()
            .messages
            .get(&(chat, message_id))
            .cloned()
    }

    /// The reply keyboard shown under `chat`'s input field, if any.
    pub fn reply_keyboard(&self, chat: i64) -> Option<Value> {
        self.shared.world().reply_keyboards.get(&chat).cloned()
    }

    /// Callback queries the bot has not answered.
    pub fn unanswered_queries(&self) -> Vec<String> {
        self.shared.world().open_queries.iter().cloned().collect()
    }

    /// The command lists registered with `setMyCommands` (their parameters).
    pub fn commands(&self) -> Vec<Value> {
        self.shared.world().commands.clone()
    }

    /// The webhook set, if any.
    pub fn webhook(&self) -> Option<Webhook> {
        self.shared.world().webhook.clone()
    }

    /// A new message from `person`, in their private chat or in `group`.
    fn person_message(&self, person: &Person, group: Option<i64>, fields: Value) -> Value {
        let mut w = self.shared.world();
        w.chats
            .entry(person.id)
            .or_insert_with(|| ChatKind::Private(person.clone()));
        let chat_id = group.unwrap_or(person.id);
        let chat = w
            .chats
            .get(&chat_id)
            .map(ChatKind::json)
            .expect("chat registered");
        let id = w.next_message_id;
        w.next_message_id += 1;
        let message = merge(
            json!({ "message_id": id, "from": person.user_json(), "chat": chat, "date": now() }),
            fields,
        );
        let text = message["text"].as_str().unwrap_or_default().to_string();
        let thread = message["message_thread_id"].as_i64();
        let reply_to = message["reply_to_message"]["message_id"].as_i64();
        w.messages.insert(
            (chat_id, id),
            Message {
                id,
                chat: chat_id,
                from_bot: false,
                text,
                buttons: Vec::new(),
                thread,
                reply_to,
                copied_from: None,
                json: message.clone(),
            },
        );
        message
    }
}

/// Unix time now.
pub(super) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Telegram's words for a call to a group that became a supergroup.
const MIGRATED: &str = "Bad Request: group chat was upgraded to a supergroup chat";

/// What one method call answers.
pub(super) enum Answer {
    Ok(Value),
    Err(u16, String),
    RetryAfter(u32),
    /// 400: the group became a supergroup with this id.
    Migrated(i64),
}

/// The one route: `/bot<token>/<method>`.
async fn answer(
    State(shared): State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    if bot.strip_prefix("bot") != Some(TOKEN) {
        return reply(Answer::Err(401, "Unauthorized".into()));
    }
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let params: Value = if body.is_empty() {
        json!({})
    } else if let Some(boundary) = content_type.split("boundary=").nth(1) {
        // teloxide sends methods that may upload a file (setWebhook) as
        // multipart/form-data.
        multipart_params(&body, boundary.trim_matches('"'))
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return reply(Answer::Err(400, "Bad Request: invalid JSON".into())),
        }
    };
    // Telegram reads method names case-insensitively (teloxide sends
    // `SendMessage`); calls are recorded under the documented spelling.
    let method = methods::canonical(&method);
    let fault = shared
        .world()
        .faults
        .get_mut(&method)
        .and_then(VecDeque::pop_front);
    let answer = match fault {
        Some(Fault::Disconnect) => {
            record(
                &shared,
                &method,
                params,
                Err((0, "connection dropped".into())),
            );
            return broken_response();
        }
        Some(Fault::TooManyRequests { retry_after }) => Answer::RetryAfter(retry_after),
        Some(Fault::ServerError(code)) => Answer::Err(code, "Bad Gateway".into()),
        None if method == "getUpdates" => get_updates(&shared, &params).await,
        None => methods::call(&mut shared.world(), &method, &params),
    };
    let outcome = match &answer {
        Answer::Ok(v) => Ok(v.clone()),
        Answer::Err(code, d) => Err((*code, d.clone())),
        Answer::RetryAfter(s) => Err((429, format!("Too Many Requests: retry after {s}"))),
        Answer::Migrated(_) => Err((400, MIGRATED.into())),
    };
    record(&shared, &method, params, outcome);
    reply(answer)
}

/// The fields of a multipart/form-data body; values that read as JSON
/// (numbers, arrays, objects) are taken as such, the rest as strings.
fn multipart_params(body: &[u8], boundary: &str) -> Value {
    let body = String::from_utf8_lossy(body);
    let mut params = serde_json::Map::new();
    for part in body.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|n| n.split('"').next())
        else {
            continue;
        };
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        let parsed = match serde_json::from_str::<Value>(value) {
            Ok(v) if !v.is_string() => v,
            _ => Value::String(value.to_string()),
        };
        params.insert(name.to_string(), parsed);
    }
    Value::Object(params)
}

fn record(shared: &Shared, method: &str, params: Value, outcome: Result<Value, (u16, String)>) {
    let call = Call {
        method: method.to_string(),
        params,
        outcome,
        at: Instant::now(),
    };
    let mut w = shared.world();
    match &w.watcher {
        Some(watcher) => {
            let _ = watcher.send(call);
        }
        None => w.calls.push(call),
    }
    drop(w);
    shared.changed.notify_waiters();
}

fn reply(answer: Answer) -> Response {
    let (status, body) = match answer {
        Answer::Ok(result) => (200, json!({ "ok": true, "result": result })),
        Answer::Err(code, description) => (
            code,
            json!({ "ok": false, "error_code": code, "description": description }),
        ),
        Answer::RetryAfter(secs) => (
            429,
            json!({
                "ok": false,
                "error_code": 429,
                "description": format!("Too Many Requests: retry after {secs}"),
                "parameters": { "retry_after": secs },
            }),
        ),
        Answer::Migrated(to) => (
            400,
            json!({
                "ok": false,
                "error_code": 400,
                "description": MIGRATED,
                "parameters": { "migrate_to_chat_id": to },
            }),
        ),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body)).into_response()
}

/// A response whose body breaks off: the client sees a network error.
fn broken_response() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "dropped",
        ))
    });
    Response::new(Body::from_stream(stream))
}

/// `getUpdates`: confirms everything below `offset`, returns what is left
/// (at most `limit`), waiting up to `timeout` seconds for something to arrive.
async fn get_updates(shared: &Shared, params: &Value) -> Answer {
    let offset = params["offset"].as_i64().unwrap_or(0);
    let limit = params["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
    let timeout = Duration::from_secs(params["timeout"].as_u64().unwrap_or(0));
    let deadline = tokio::time::Instant::now() + timeout;
    let generation = {
        let mut w = shared.world();
        if w.webhook.is_some() {
            return Answer::Err(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use \
                 deleteWebhook to delete the webhook first"
                    .into(),
            );
        }
        w.poll_generation += 1;
        w.poll_generation
    };
    loop {
        let changed = shared.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        {
            let mut w = shared.world();
            if w.poll_generation != generation {
                return Answer::Err(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one \
                     bot instance is running"
                        .into(),
                );
            }
            if offset < 0 {
                let keep = offset.unsigned_abs() as usize;
                let len = w.pending.len();
                w.pending.drain(..len.saturating_sub(keep));
            } else {
                while w.pending.front().is_some_and(|(id, _)| *id < offset) {
                    w.pending.pop_front();
                }
            }
            let batch: Vec<Value> = w
                .pending
                .iter()
                .take(limit)
                .map(|(_, u)| u.clone())
                .collect();
            if !batch.is_empty() || tokio::time::Instant::now() >= deadline {
                return Answer::Ok(Value::Array(batch));
            }
        }
        if tokio::time::timeout_at(deadline, changed).await.is_err() {
            continue;
        }
    }
}

/// While a webhook is set, posts pending updates to it one by one, like
/// Telegram: an update leaves the queue once the bot answers 2xx.
async fn deliver_to_webhook(shared: std::sync::Weak<Shared>) {
    loop {
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let changed = shared.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let next = {
            let w = shared.world();
            w.webhook.clone().zip(w.pending.front().cloned())
        };
        let Some((hook, (id, update))) = next else {
            let _ = tokio::time::timeout(Duration::from_millis(200), changed).await;
            continue;
        };
        let mut request = shared.client.post(&hook.url).json(&update);
        if let Some(secret) = &hook.secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        let delivered = request.send().await.is_ok_and(|r| r.status().is_success());
        if delivered {
            let mut w = shared.world();
            if w.pending.front().is_some_and(|(first, _)| *first == id) {
                w.pending.pop_front();
            }
            drop(w);
            shared.changed.notify_waiters();
        } else {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl World {
    pub(super) fn chat_json(&self, chat: i64) -> Option<Value> {
        self.chats.get(&chat).map(ChatKind::json)
    }

    pub(super) fn is_private(&self, chat: i64) -> bool {
        matches!(self.chats.get(&chat), Some(ChatKind::Private(_)))
    }

    pub(super) fn is_forum(&self, chat: i64) -> bool {
        matches!(self.chats.get(&chat), Some(ChatKind::Group(g)) if g.forum)
    }

    pub(super) fn new_message_id(&mut self) -> i64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }

    pub(super) fn new_topic(&mut self, chat: i64) -> i64 {
        let id = self.next_thread_id;
        self.next_thread_id += 1;
        self.topics.entry(chat).or_default().insert(id);
        id
    }

    pub(super) fn topic_exists(&self, chat: i64, thread: i64) -> bool {
        self.topics.get(&chat).is_some_and(|t| t.contains(&thread))
    }

    pub(super) fn message_mut(&mut self, chat: i64, id: i64) -> Option<&mut Message> {
        self.messages.get_mut(&(chat, id))
    }

    pub(super) fn find_message(&self, chat: i64, id: i64) -> Option<&Message> {
        self.messages.get(&(chat, id))
    }

    /// Stores a message the bot sent and returns its `Message` object.
    pub(super) fn store_bot_message(
        &mut self,
        chat: i64,
        text: String,
        buttons: Vec<Vec<(String, String)>>,
        thread: Option<i64>,
        markup: Option<Value>,
    ) -> Value {
        let id = self.new_message_id();
        let mut json = json!({
            "message_id": id,
            "from": bot_user(),
            "chat": self.chat_json(chat).unwrap_or(json!({ "id": chat, "type": "private" })),
            "date": now(),
            "text": text,
        });
        if let Some(t) = thread {
            json["message_thread_id"] = json!(t);
            json["is_topic_message"] = json!(true);
        }
        if let Some(m) = markup {
            json["reply_markup"] = m;
        }
        self.messages.insert(
            (chat, id),
            Message {
                id,
                chat,
                from_bot: true,
                text,
                buttons,
                thread,
                reply_to: None,
                copied_from: None,
                json: json.clone(),
            },
        );
        json
    }

    /// Notes what a message the bot just sent replies to and copies.
    pub(super) fn note_origin(
        &mut self,
        chat: i64,
        id: i64,
        reply_to: Option<i64>,
        copied_from: Option<(i64, i64)>,
    ) {
        let replied = reply_to.and_then(|r| self.messages.get(&(chat, r)).map(|m| m.json.clone()));
        if let Some(m) = self.messages.get_mut(&(chat, id)) {
            m.reply_to = reply_to;
            m.copied_from = copied_from;
            if let Some(r) = replied {
                m.json["reply_to_message"] = r;
            }
        }
    }

    /// Whether the person whose private chat is `chat` blocked the bot.
    pub(super) fn blocked(&self, chat: i64) -> bool {
        self.blocked.contains(&chat)
    }

    /// The id the group `chat` moved to, if it became a supergroup.
    pub(super) fn migrated_to(&self, chat: i64) -> Option<i64> {
        self.migrated.get(&chat).copied()
    }

    pub(super) fn close_topic(&mut self, chat: i64, thread: i64, closed: bool) -> bool {
        if closed {
            self.closed_topics.insert((chat, thread))
        } else {
            self.closed_topics.remove(&(chat, thread))
        }
    }

    /// Updates a stored message's `Message` object after an edit.
    pub(super) fn refresh_json(&mut self, chat: i64, id: i64, markup: Option<Value>) -> Value {
        let m = self
            .messages
            .get_mut(&(chat, id))
            .expect("edited message exists");
        m.json["text"] = json!(m.text);
        m.json["edit_date"] = json!(now());
        match markup {
            Some(markup) => m.json["reply_markup"] = markup,
            None => {
                if let Some(o) = m.json.as_object_mut() {
                    o.remove("reply_markup");
                }
            }
        }
        m.json.clone()
    }

    pub(super) fn set_reply_keyboard(&mut self, chat: i64, keyboard: Option<Value>) {
        match keyboard {
            Some(k) => self.reply_keyboards.insert(chat, k),
            None => self.reply_keyboards.remove(&chat),
        };
    }

    pub(super) fn answer_query(&mut self, id: &str) -> bool {
        self.open_queries.remove(id)
    }

    pub(super) fn set_webhook(&mut self, hook: Option<Webhook>, drop_pending: bool) {
        self.webhook = hook;
        if drop_pending {
            self.pending.clear();
        }
    }

    pub(super) fn webhook_info(&self) -> Value {
        json!({
            "url": self.webhook.as_ref().map(|h| h.url.clone()).unwrap_or_default(),
            "has_custom_certificate": false,
            "pending_update_count": self.pending.len(),
        })
    }

    pub(super) fn record_commands(&mut self, params: &Value) {
        self.commands.push(params.clone());
    }
}

/// The bot's `User` object.
pub(super) fn bot_user() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": "Jiebei Test", "username": "jiebei_test_bot" })
}

/// Whether `html` and the visible text check out; the visible text or the
/// 400 description.
pub(super) fn visible_text(params: &Value, field: &str) -> Result<String, String> {
    let raw = params[field].as_str().unwrap_or_default();
    let text = match params["parse_mode"].as_str() {
        Some("HTML") => html::parse(raw)?,
        Some(other) => return Err(format!("Bad Request: unsupported parse_mode {other:?}")),
        None => raw.to_string(),
    };
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err("Bad Request: message text is empty".into());
    }
    if html::telegram_len(&text) > 4096 {
        return Err("Bad Request: message is too long".into());
    }
    Ok(text)
}
