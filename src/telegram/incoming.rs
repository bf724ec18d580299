//! Telegram updates as engine inputs: what the bot reads, what it answers
//! with "I can read text only", and what it ignores (edited messages,
//! service messages). Group messages and presses are read in `group` and
//! left to the support desk.

use teloxide::types::{
    CallbackQuery, CallbackQueryId, InlineKeyboardButtonKind, MediaKind, Message, MessageKind,
    Update, UpdateKind, User,
};

use crate::engine::{Incoming, Input};

use super::group::{self, agent_name, GroupNews, GroupPress};

/// What one update asks of the bot.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    /// A message in a private chat.
    Message {
        /// What the customer did.
        incoming: Incoming,
        /// The message's id (to copy it to the support group).
        message_id: i32,
    },
    /// A button press: answer the query, and either clean up the pressed
    /// message and hand the press to the engine (a private chat) or leave
    /// it to the support desk (a group).
    Button {
        /// The query to answer.
        query: CallbackQueryId,
        /// The message whose button was pressed, if Telegram still shows it.
        pressed: Option<Pressed>,
        /// The press for the engine; `None` outside private chats.
        incoming: Option<Incoming>,
        /// The press for the support desk; `None` outside groups.
        in_group: Option<GroupPress>,
    },
    /// Something in a group: the support desk's, if it is the support group.
    Group(GroupNews),
}

/// The message under which a button was pressed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pressed {
    /// Its chat.
    pub chat: i64,
    /// Its id.
    pub message_id: i32,
    /// Its text as shown, when Telegram sent it.
    pub text: Option<String>,
    /// The label of the pressed button, when it is still on the message.
    pub label: Option<String>,
}

/// The event an update carries, or `None` for updates the bot ignores.
pub(crate) fn event(update: &Update) -> Option<Event> {
    match &update.kind {
        UpdateKind::Message(m) if m.chat.is_group() || m.chat.is_supergroup() => {
            group::news(m).map(Event::Group)
        }
        UpdateKind::Message(m) => message(m).map(|incoming| Event::Message {
            incoming,
            message_id: m.id.0,
        }),
        UpdateKind::CallbackQuery(q) => Some(button(q)),
        _ => None,
    }
}

/// A customer's message; `None` outside private chats, from bots, and for
/// service messages.
fn message(m: &Message) -> Option<Incoming> {
    if !m.chat.is_private() {
        return None;
    }
    let from = m.from.as_ref().filter(|u| !u.is_bot)?;
    let media = match &m.kind {
        MessageKind::Common(common) => &common.media_kind,
        // A message teloxide cannot read (a newer kind): the customer sent
        // something, so say what the bot reads rather than stay silent.
        MessageKind::Empty {} => return Some(incoming(m, from, Input::Unsupported)),
        _ => return None,
    };
    let input = match media {
        MediaKind::Text(t) => Input::Text(t.text.clone()),
        MediaKind::Contact(c) => Input::Contact {
            phone: c.contact.phone_number.clone(),
            user_id: c.contact.user_id.map(|id| id.0 as i64),
        },
        MediaKind::Migration(_) => return None,
        _ => Input::Unsupported,
    };
    Some(incoming(m, from, input))
}

fn incoming(m: &Message, from: &User, input: Input) -> Incoming {
    Incoming {
        chat: m.chat.id.0,
        user: Some(from.id.0 as i64),
        language_code: from.language_code.clone(),
        input,
    }
}

fn button(q: &CallbackQuery) -> Event {
    let data = q.data.clone().unwrap_or_default();
    let pressed = q.message.as_ref().map(|m| {
        let regular = m.regular_message();
        Pressed {
            chat: m.chat().id.0,
            message_id: m.id().0,
            text: regular.and_then(|r| r.text()).map(str::to_string),
            label: regular.and_then(|r| label_of(r, &data)),
        }
    });
    let private = q.message.as_ref().is_some_and(|m| m.chat().is_private());
    let in_group = q
        .message
        .as_ref()
        .filter(|m| m.chat().is_group() || m.chat().is_supergroup())
        .map(|_| GroupPress {
            data: data.clone(),
            agent: agent_name(&q.from),
        });
    let incoming = private.then(|| Incoming {
        chat: q
            .message
            .as_ref()
            .map_or(q.from.id.0 as i64, |m| m.chat().id.0),
        user: Some(q.from.id.0 as i64),
        language_code: q.from.language_code.clone(),
        input: Input::Button(data),
    });
    Event::Button {
        query: q.id.clone(),
        pressed,
        incoming,
        in_group,
    }
}

/// The label of the button on `m` that carries `data`.
fn label_of(m: &Message, data: &str) -> Option<String> {
    m.reply_markup()?
        .inline_keyboard
        .iter()
        .flatten()
        .find(|b| matches!(&b.kind, InlineKeyboardButtonKind::CallbackData(d) if d == data))
        .map(|b| b.text.clone())
}

/// What kind of input an event is, for logs (never its text).
pub(crate) fn kind(incoming: &Incoming) -> &'static str {
    match incoming.input {
        Input::Text(ref t) if t.starts_with('/') => "command",
        Input::Text(_) => "text",
        Input::Button(_) => "button",
        Input::Contact { .. } => "contact",
        Input::Unsupported => "unsupported",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn update(kind: serde_json::Value) -> Update {
        let mut u = json!({ "update_id": 1 });
        u.as_object_mut()
            .unwrap()
            .extend(kind.as_object().unwrap().clone());
        // From text, as teloxide reads updates: its `Update` does not
        // deserialise from an in-memory `Value`.
        serde_json::from_str(&u.to_string()).unwrap()
    }

    fn private(fields: serde_json::Value) -> serde_json::Value {
        let mut m = json!({
            "message_id": 5, "date": 1_700_000_000,
            "chat": { "id": 42, "type": "private", "first_name": "A" },
            "from": { "id": 42, "is_bot": false, "first_name": "A", "language_code": "zh-hans" },
        });
        m.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        m
    }

    #[test]
    fn a_private_text_becomes_text_with_the_senders_language() {
        let e = event(&update(
            json!({ "message": private(json!({ "text": "关掉借呗" })) }),
        ));
        let Some(Event::Message { incoming: i, .. }) = e else {
            panic!("{e:?}")
        };
        assert_eq!(i.input, Input::Text("关掉借呗".into()));
        assert_eq!(
            (i.chat, i.user, i.language_code.as_deref()),
            (42, Some(42), Some("zh-hans"))
        );
    }

    #[test]
    fn a_contact_keeps_the_user_id_telegram_sent_and_none_is_never_invented() {
        let own =
            json!({ "contact": { "phone_number": "+86 138", "first_name": "A", "user_id": 42 } });
        let Some(Event::Message { incoming: i, .. }) =
            event(&update(json!({ "message": private(own) })))
        else {
            panic!()
        };
        assert_eq!(
            i.input,
            Input::Contact {
                phone: "+86 138".into(),
                user_id: Some(42)
            }
        );
        let typed = json!({ "contact": { "phone_number": "+86 139", "first_name": "B" } });
        let Some(Event::Message { incoming: i, .. }) =
            event(&update(json!({ "message": private(typed) })))
        else {
            panic!()
        };
        assert_eq!(
            i.input,
            Input::Contact {
                phone: "+86 139".into(),
                user_id: None
            }
        );
    }

    #[test]
    fn media_is_unsupported_and_edits_are_ignored_and_groups_go_to_the_desk() {
        let loc = json!({ "location": { "latitude": 1.0, "longitude": 2.0 } });
        let Some(Event::Message { incoming: i, .. }) =
            event(&update(json!({ "message": private(loc) })))
        else {
            panic!()
        };
        assert_eq!(i.input, Input::Unsupported);
        let edited = private(json!({ "text": "x", "edit_date": 1 }));
        assert_eq!(event(&update(json!({ "edited_message": edited }))), None);
        let mut group = private(json!({ "text": "hi" }));
        group["chat"] = json!({ "id": -100, "type": "group", "title": "G" });
        assert!(matches!(
            event(&update(json!({ "message": group }))),
            Some(Event::Group(GroupNews::Post(_)))
        ));
    }

    #[test]
    fn a_press_names_the_pressed_button_and_its_message() {
        let shown = private(json!({
            "text": "Pick one",
            "reply_markup": { "inline_keyboard": [[{ "text": "Yes", "callback_data": "c:1:y" }]] },
        }));
        let q = json!({ "callback_query": {
            "id": "q1", "chat_instance": "c", "data": "c:1:y", "message": shown,
            "from": { "id": 42, "is_bot": false, "first_name": "A" },
        }});
        let Some(Event::Button {
            query,
            pressed,
            incoming,
            in_group,
        }) = event(&update(q))
        else {
            panic!()
        };
        assert_eq!(query.0, "q1");
        let p = pressed.unwrap();
        assert_eq!(
            (p.chat, p.message_id, p.label.as_deref()),
            (42, 5, Some("Yes"))
        );
        assert_eq!(incoming.unwrap().input, Input::Button("c:1:y".into()));
        assert_eq!(in_group, None);
    }

    #[test]
    fn a_press_in_a_group_goes_to_the_desk_with_the_agents_name() {
        let mut card = private(json!({
            "text": "T-000001",
            "reply_markup": { "inline_keyboard": [[{ "text": "Take", "callback_data": "t:1" }]] },
        }));
        card["chat"] = json!({ "id": -1001, "type": "supergroup", "title": "S" });
        let q = json!({ "callback_query": {
            "id": "q2", "chat_instance": "c", "data": "t:1", "message": card,
            "from": { "id": 7, "is_bot": false, "first_name": "W", "username": "wang" },
        }});
        let Some(Event::Button {
            incoming, in_group, ..
        }) = event(&update(q))
        else {
            panic!()
        };
        assert_eq!(incoming, None);
        assert_eq!(
            in_group,
            Some(GroupPress {
                data: "t:1".into(),
                agent: "@wang".into()
            })
        );
    }
}
