//! The fake Bot API's methods other than `getUpdates`: what each checks and
//! answers. Descriptions are Telegram's own wording so the bot's error
//! handling meets what it will meet in production.

use serde_json::{json, Value};

use super::fake_bot_api::{bot_user, visible_text, Answer, Message, Webhook, World};

/// Telegram's limit on callback data, in bytes.
const MAX_CALLBACK_DATA: usize = 64;

/// Every method the fake knows, spelled as Telegram documents them.
const KNOWN: &[&str] = &[
    "getMe",
    "getUpdates",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "setMyCommands",
    "deleteWebhook",
    "setWebhook",
    "getWebhookInfo",
    "sendChatAction",
    "deleteMessage",
    "createForumTopic",
    "closeForumTopic",
    "reopenForumTopic",
    "editForumTopic",
    "copyMessage",
    "getChat",
];

/// The documented spelling of `method` (Telegram ignores case).
pub(super) fn canonical(method: &str) -> String {
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(method))
        .map_or(method, |k| k)
        .to_string()
}

/// Answers one call of `method`.
pub(super) fn call(w: &mut World, method: &str, p: &Value) -> Answer {
    if let Some(to) = p["chat_id"].as_i64().and_then(|c| w.migrated_to(c)) {
        return Answer::Migrated(to);
    }
    if p["chat_id"].as_i64().is_some_and(|c| w.blocked(c)) && method != "getChat" {
        return Answer::Err(403, "Forbidden: bot was blocked by the user".into());
    }
    let result = match method {
        "getMe" => Ok(me()),
        "sendMessage" => send_message(w, p),
        "editMessageText" => edit_message_text(w, p),
        "editMessageReplyMarkup" => edit_reply_markup(w, p),
        "answerCallbackQuery" => answer_callback_query(w, p),
        "setMyCommands" => set_my_commands(w, p),
        "deleteWebhook" => {
            w.set_webhook(None, p["drop_pending_updates"].as_bool().unwrap_or(false));
            Ok(json!(true))
        }
        "setWebhook" => set_webhook(w, p),
        "getWebhookInfo" => Ok(w.webhook_info()),
        "sendChatAction" => known_chat(w, p).map(|_| json!(true)),
        "deleteMessage" => delete_message(w, p),
        "createForumTopic" => create_forum_topic(w, p),
        "closeForumTopic" | "reopenForumTopic" | "editForumTopic" => topic_op(w, method, p),
        "copyMessage" => copy_message(w, p),
        "getChat" => get_chat(w, p),
        _ => return Answer::Err(404, "Not Found".into()),
    };
    match result {
        Ok(v) => Answer::Ok(v),
        Err(description) => Answer::Err(400, description),
    }
}

type Outcome = Result<Value, String>;

/// Inline buttons as `(label, callback_data)` rows.
type Buttons = Vec<Vec<(String, String)>>;

fn me() -> Value {
    let mut me = bot_user();
    for (k, v) in [
        ("can_join_groups", true),
        ("can_read_all_group_messages", false),
        ("supports_inline_queries", false),
        ("can_connect_to_business", false),
        ("has_main_web_app", false),
    ] {
        me[k] = json!(v);
    }
    me
}

fn known_chat(w: &World, p: &Value) -> Result<i64, String> {
    let chat = p["chat_id"]
        .as_i64()
        .ok_or("Bad Request: chat_id is empty")?;
    w.chat_json(chat)
        .map(|_| chat)
        .ok_or_else(|| "Bad Request: chat not found".to_string())
}

fn thread(w: &World, chat: i64, p: &Value) -> Result<Option<i64>, String> {
    match p["message_thread_id"].as_i64() {
        None => Ok(None),
        Some(t) if w.topic_exists(chat, t) => Ok(Some(t)),
        Some(_) => Err("Bad Request: message thread not found".into()),
    }
}

/// What a `reply_markup` does: inline buttons on the message, or a change
/// to the chat's reply keyboard.
enum Markup {
    None,
    Inline(Buttons, Value),
    ReplyKeyboard(Value),
    RemoveKeyboard,
}

fn markup(w: &World, chat: i64, p: &Value) -> Result<Markup, String> {
    let m = &p["reply_markup"];
    if m.is_null() {
        return Ok(Markup::None);
    }
    if let Some(rows) = m["inline_keyboard"].as_array() {
        let mut buttons = Vec::new();
        for row in rows {
            let mut out = Vec::new();
            for b in row
                .as_array()
                .ok_or("Bad Request: inline keyboard row must be an array")?
            {
                let text = b["text"].as_str().unwrap_or_default();
                if text.trim().is_empty() {
                    return Err("Bad Request: BUTTON_TEXT_INVALID".into());
                }
                if let Some(data) = b["callback_data"].as_str() {
                    if data.is_empty() || data.len() > MAX_CALLBACK_DATA {
                        return Err("Bad Request: BUTTON_DATA_INVALID".into());
                    }
                    out.push((text.to_string(), data.to_string()));
                } else if b["url"].is_null() {
                    return Err(
                        "Bad Request: text buttons are unallowed in the inline keyboard".into(),
                    );
                }
            }
            buttons.push(out);
        }
        return Ok(Markup::Inline(buttons, m.clone()));
    }
    if let Some(rows) = m["keyboard"].as_array() {
        for b in rows.iter().filter_map(Value::as_array).flatten() {
            if b["text"].as_str().unwrap_or_default().trim().is_empty() {
                return Err("Bad Request: keyboard button text is empty".into());
            }
            if b["request_contact"].as_bool() == Some(true) && !w.is_private(chat) {
                return Err(
                    "Bad Request: phone number can be requested in private chats only".into(),
                );
            }
        }
        return Ok(Markup::ReplyKeyboard(m.clone()));
    }
    if m["remove_keyboard"].as_bool() == Some(true) {
        return Ok(Markup::RemoveKeyboard);
    }
    if m["force_reply"].as_bool() == Some(true) {
        return Ok(Markup::None);
    }
    Err("Bad Request: can't parse reply keyboard markup JSON object".into())
}

/// The message a call replies to, checked to exist in `chat`.
fn reply_to(w: &World, chat: i64, p: &Value) -> Result<Option<i64>, String> {
    match p["reply_parameters"]["message_id"].as_i64() {
        None => Ok(None),
        Some(id) if w.find_message(chat, id).is_some() => Ok(Some(id)),
        Some(_) => Err("Bad Request: message to be replied not found".into()),
    }
}

fn send_message(w: &mut World, p: &Value) -> Outcome {
    let chat = known_chat(w, p)?;
    let thread = thread(w, chat, p)?;
    let reply = reply_to(w, chat, p)?;
    let text = visible_text(p, "text")?;
    let (buttons, inline) = match markup(w, chat, p)? {
        Markup::Inline(buttons, m) => (buttons, Some(m)),
        Markup::ReplyKeyboard(k) => {
            w.set_reply_keyboard(chat, Some(k));
            (Vec::new(), None)
        }
        Markup::RemoveKeyboard => {
            w.set_reply_keyboard(chat, None);
            (Vec::new(), None)
        }
        Markup::None => (Vec::new(), None),
    };
    let sent = w.store_bot_message(chat, text, buttons, thread, inline);
    let id = sent["message_id"].as_i64().expect("an id");
    w.note_origin(chat, id, reply, None);
    Ok(w.find_message(chat, id).map(Message::json).unwrap_or(sent))
}

/// The bot's own message `message_id` in `chat_id`, checked editable.
fn editable(w: &World, p: &Value) -> Result<(i64, i64), String> {
    let chat = known_chat(w, p)?;
    let id = p["message_id"]
        .as_i64()
        .ok_or("Bad Request: message identifier is not specified")?;
    let m = w
        .find_message(chat, id)
        .ok_or("Bad Request: message to edit not found")?;
    if !m.from_bot {
        return Err("Bad Request: message can't be edited".into());
    }
    Ok((chat, id))
}

const NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content \
                            and reply markup are exactly the same as a current content and reply \
                            markup of the message";

fn inline_only(w: &World, chat: i64, p: &Value) -> Result<(Buttons, Option<Value>), String> {
    match markup(w, chat, p)? {
        Markup::Inline(buttons, m) => Ok((buttons, Some(m))),
        Markup::None => Ok((Vec::new(), None)),
        _ => Err("Bad Request: inline keyboard expected".into()),
    }
}

fn edit_message_text(w: &mut World, p: &Value) -> Outcome {
    let (chat, id) = editable(w, p)?;
    let text = visible_text(p, "text")?;
    let (buttons, inline) = inline_only(w, chat, p)?;
    let m = w.message_mut(chat, id).expect("checked above");
    if m.text == text && m.buttons == buttons {
        return Err(NOT_MODIFIED.into());
    }
    m.text = text;
    m.buttons = buttons;
    Ok(w.refresh_json(chat, id, inline))
}

fn edit_reply_markup(w: &mut World, p: &Value) -> Outcome {
    let (chat, id) = editable(w, p)?;
    let (buttons, inline) = inline_only(w, chat, p)?;
    let m = w.message_mut(chat, id).expect("checked above");
    if m.buttons == buttons {
        return Err(NOT_MODIFIED.into());
    }
    m.buttons = buttons;
    Ok(w.refresh_json(chat, id, inline))
}

fn answer_callback_query(w: &mut World, p: &Value) -> Outcome {
    let id = p["callback_query_id"].as_str().unwrap_or_default();
    if p["text"].as_str().is_some_and(|t| t.chars().count() > 200) {
        return Err("Bad Request: MESSAGE_TOO_LONG".into());
    }
    if w.answer_query(id) {
        Ok(json!(true))
    } else {
        Err(
            "Bad Request: query is too old and response timeout expired or query ID is invalid"
                .into(),
        )
    }
}

fn set_my_commands(w: &mut World, p: &Value) -> Outcome {
    let commands = p["commands"]
        .as_array()
        .ok_or("Bad Request: commands must be an array")?;
    if commands.len() > 100 {
        return Err("Bad Request: too many commands".into());
    }
    for c in commands {
        let name = c["command"].as_str().unwrap_or_default();
        let valid = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err("Bad Request: BOT_COMMAND_INVALID".into());
        }
        let description = c["description"].as_str().unwrap_or_default();
        if !(1..=256).contains(&description.chars().count()) {
            return Err("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID".into());
        }
    }
    if let Some(code) = p["language_code"].as_str() {
        if !(code.is_empty() || code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())) {
            return Err("Bad Request: LANG_CODE_INVALID".into());
        }
    }
    w.record_commands(p);
    Ok(json!(true))
}

/// Telegram wants HTTPS on ports 443, 80, 88 or 8443; the fake also takes
/// plain HTTP on loopback, where the test's bot listens.
fn set_webhook(w: &mut World, p: &Value) -> Outcome {
    let url = p["url"].as_str().unwrap_or_default();
    if url.is_empty() {
        w.set_webhook(None, p["drop_pending_updates"].as_bool().unwrap_or(false));
        return Ok(json!(true));
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| "Bad Request: bad webhook: invalid URL")?;
    let loopback = parsed.host_str() == Some("127.0.0.1");
    if parsed.scheme() != "https" && !loopback {
        return Err("Bad Request: bad webhook: An HTTPS URL must be provided for webhook".into());
    }
    let secret = p["secret_token"].as_str().map(str::to_string);
    if let Some(s) = &secret {
        let ok = (1..=256).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return Err("Bad Request: secret token contains unallowed characters".into());
        }
    }
    let hook = Webhook {
        url: url.to_string(),
        secret,
    };
    w.set_webhook(
        Some(hook),
        p["drop_pending_updates"].as_bool().unwrap_or(false),
    );
    Ok(json!(true))
}

fn delete_message(w: &mut World, p: &Value) -> Outcome {
    let chat = known_chat(w, p)?;
    let id = p["message_id"].as_i64().unwrap_or_default();
    w.find_message(chat, id)
        .ok_or("Bad Request: message to delete not found")?;
    Ok(json!(true))
}

fn create_forum_topic(w: &mut World, p: &Value) -> Outcome {
    let chat = known_chat(w, p)?;
    if !w.is_forum(chat) {
        return Err("Bad Request: the chat is not a forum".into());
    }
    let name = p["name"].as_str().unwrap_or_default();
    if !(1..=128).contains(&name.chars().count()) {
        return Err("Bad Request: TOPIC_TITLE_EMPTY".into());
    }
    let id = w.new_topic(chat);
    Ok(json!({ "message_thread_id": id, "name": name, "icon_color": 7_322_096 }))
}

fn topic_op(w: &mut World, method: &str, p: &Value) -> Outcome {
    let chat = known_chat(w, p)?;
    let thread = p["message_thread_id"].as_i64().unwrap_or_default();
    if !w.topic_exists(chat, thread) {
        return Err("Bad Request: TOPIC_ID_INVALID".into());
    }
    let changed = match method {
        "closeForumTopic" => w.close_topic(chat, thread, true),
        "reopenForumTopic" => w.close_topic(chat, thread, false),
        _ => true,
    };
    if changed {
        Ok(json!(true))
    } else {
        Err("Bad Request: TOPIC_NOT_MODIFIED".into())
    }
}

/// `getChat`: the chat as `ChatFullInfo`, with the fields Telegram always
/// sends.
fn get_chat(w: &World, p: &Value) -> Outcome {
    let chat = known_chat(w, p)?;
    let mut info = w.chat_json(chat).expect("known above");
    info["accent_color_id"] = json!(0);
    info["max_reaction_count"] = json!(11);
    info["accepted_gift_types"] = json!({
        "unlimited_gifts": false, "limited_gifts": false,
        "unique_gifts": false, "premium_subscription": false,
    });
    Ok(info)
}

fn copy_message(w: &mut World, p: &Value) -> Outcome {
    let chat = known_chat(w, p)?;
    let thread = thread(w, chat, p)?;
    let reply = reply_to(w, chat, p)?;
    let from = p["from_chat_id"].as_i64().unwrap_or_default();
    let id = p["message_id"].as_i64().unwrap_or_default();
    let source = w
        .find_message(from, id)
        .ok_or("Bad Request: message to copy not found")?;
    let text = source.text.clone();
    let copy = w.store_bot_message(chat, text, Vec::new(), thread, None);
    let copy_id = copy["message_id"].as_i64().expect("an id");
    w.note_origin(chat, copy_id, reply, Some((from, id)));
    Ok(json!({ "message_id": copy_id }))
}
