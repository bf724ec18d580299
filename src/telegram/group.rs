//! Messages and button presses in groups, as the support desk reads them:
//! who wrote (an agent's name), where (the forum topic, the message replied
//! to) and what (text, a command, something to copy). Whether the group is
//! the support group is the desk's decision, not this module's.

use teloxide::types::{ChatMigration, MediaKind, Message, MessageKind, User};

/// A message someone wrote in a group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupPost {
    /// The group.
    pub chat: i64,
    /// The message's id.
    pub message_id: i32,
    /// The forum topic it was written in.
    pub thread: Option<i32>,
    /// The message it answers, if the writer chose one (a topic's own first
    /// message, which Telegram names for every message in the topic, is not).
    pub reply_to: Option<i32>,
    /// Who wrote it, as agents see each other.
    pub agent: String,
    /// What it says.
    pub said: Said,
}

/// What a group message carries.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Said {
    /// Text; a command starts with `/`.
    Text(String),
    /// A photo, file, sticker ...: copied as it is.
    Media {
        /// What kind, for the transcript (`photo`, `document` ...).
        kind: &'static str,
        /// Its caption.
        caption: Option<String>,
    },
}

/// A group's news the bot must follow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GroupNews {
    /// Someone wrote.
    Post(GroupPost),
    /// The group became a supergroup with a new id.
    Migrated {
        /// The old id.
        from: i64,
        /// The new id.
        to: i64,
    },
}

/// A button pressed under a message in a group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupPress {
    /// The button's raw callback data.
    pub data: String,
    /// Who pressed it.
    pub agent: String,
}

/// The news a group message carries; `None` for service messages, edits,
/// bots, and posts on behalf of other chats.
pub(crate) fn news(m: &Message) -> Option<GroupNews> {
    let chat = m.chat.id.0;
    if let Some(migration) = m.chat_migration() {
        let (from, to) = match migration {
            ChatMigration::To { chat_id } => (chat, chat_id.0),
            ChatMigration::From { chat_id } => (chat_id.0, chat),
        };
        return Some(GroupNews::Migrated { from, to });
    }
    let MessageKind::Common(common) = &m.kind else {
        return None;
    };
    if common.edit_date.is_some() || common.is_automatic_forward {
        return None;
    }
    let agent = writer(m, common.author_signature.as_deref())?;
    let said = match &common.media_kind {
        MediaKind::Text(t) => Said::Text(t.text.clone()),
        MediaKind::Migration(_) => return None,
        other => Said::Media {
            kind: media_kind(other),
            caption: m.caption().map(str::to_string),
        },
    };
    let thread = m
        .is_topic_message
        .then(|| m.thread_id.map(|t| t.0 .0))
        .flatten();
    let reply_to = common
        .reply_to_message
        .as_ref()
        .map(|r| r.id.0)
        .filter(|r| Some(*r) != thread);
    Some(GroupNews::Post(GroupPost {
        chat,
        message_id: m.id.0,
        thread,
        reply_to,
        agent,
        said,
    }))
}

/// The name of whoever wrote `m`: a person, or an anonymous administrator
/// writing as the group itself; `None` for bots and other chats.
fn writer(m: &Message, signature: Option<&str>) -> Option<String> {
    match (&m.from, &m.sender_chat) {
        (_, Some(sender)) if sender.id == m.chat.id => Some(
            signature
                .map(str::to_string)
                .or_else(|| m.chat.title().map(str::to_string))
                .unwrap_or_else(|| "admin".into()),
        ),
        (_, Some(_)) => None,
        (Some(user), None) if !user.is_bot => Some(agent_name(user)),
        _ => None,
    }
}

/// How agents see each other: `@username`, or the full name with the user
/// id when there is no username (two agents may share a name, and the name
/// is what a ticket is assigned to).
pub(crate) fn agent_name(user: &User) -> String {
    match &user.username {
        Some(u) => format!("@{u}"),
        None => format!("{} (id {})", user.full_name(), user.id.0),
    }
}

fn media_kind(media: &MediaKind) -> &'static str {
    match media {
        MediaKind::Animation(_) => "animation",
        MediaKind::Audio(_) => "audio",
        MediaKind::Contact(_) => "contact",
        MediaKind::Document(_) => "document",
        MediaKind::Location(_) | MediaKind::Venue(_) => "location",
        MediaKind::Photo(_) => "photo",
        MediaKind::Sticker(_) => "sticker",
        MediaKind::Video(_) | MediaKind::VideoNote(_) => "video",
        MediaKind::Voice(_) => "voice",
        _ => "attachment",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(fields: serde_json::Value) -> Message {
        let mut m = json!({
            "message_id": 9, "date": 1_700_000_000,
            "chat": { "id": -1001, "type": "supergroup", "title": "Support", "is_forum": true },
            "from": { "id": 7, "is_bot": false, "first_name": "Wang", "last_name": "Fang" },
        });
        m.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        serde_json::from_str(&m.to_string()).unwrap()
    }

    fn post(fields: serde_json::Value) -> GroupPost {
        match news(&message(fields)) {
            Some(GroupNews::Post(p)) => p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_topic_message_names_its_topic_but_not_the_topic_root_as_a_reply() {
        let root = json!({ "message_id": 4, "date": 1, "chat": { "id": -1001, "type": "supergroup", "title": "S" },
            "forum_topic_created": { "name": "T", "icon_color": 1 } });
        let p = post(json!({
            "text": "hello", "message_thread_id": 4, "is_topic_message": true,
            "reply_to_message": root,
        }));
        assert_eq!((p.thread, p.reply_to), (Some(4), None));
        assert_eq!(p.said, Said::Text("hello".into()));
        assert_eq!(p.agent, "Wang Fang (id 7)");
    }

    #[test]
    fn a_reply_thread_in_a_plain_group_is_no_topic() {
        let card = json!({ "message_id": 3, "date": 1, "chat": { "id": -1001, "type": "supergroup", "title": "S" }, "text": "card" });
        let p = post(json!({ "text": "hi", "message_thread_id": 3, "reply_to_message": card }));
        assert_eq!((p.thread, p.reply_to), (None, Some(3)));
    }

    #[test]
    fn media_keeps_its_caption_and_bots_and_channels_are_not_agents() {
        let photo = json!([{ "file_id": "a", "file_unique_id": "b", "width": 1, "height": 1 }]);
        let p = post(json!({ "photo": photo, "caption": "see" }));
        assert_eq!(
            p.said,
            Said::Media {
                kind: "photo",
                caption: Some("see".into())
            }
        );
        let bot = json!({ "text": "x", "from": { "id": 8, "is_bot": true, "first_name": "B" } });
        assert_eq!(news(&message(bot)), None);
        let channel =
            json!({ "text": "x", "sender_chat": { "id": -1002, "type": "channel", "title": "C" } });
        assert_eq!(news(&message(channel)), None);
    }

    #[test]
    fn an_anonymous_administrator_writes_as_the_group() {
        let p = post(json!({
            "text": "x",
            "from": { "id": 1_087_968_824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot" },
            "sender_chat": { "id": -1001, "type": "supergroup", "title": "Support" },
            "author_signature": "Lead",
        }));
        assert_eq!(p.agent, "Lead");
    }

    #[test]
    fn a_migration_names_both_ids_from_either_side() {
        let to = message(json!({ "migrate_to_chat_id": -1009 }));
        assert_eq!(
            news(&to),
            Some(GroupNews::Migrated {
                from: -1001,
                to: -1009
            })
        );
        let from = message(json!({ "migrate_from_chat_id": -55 }));
        assert_eq!(
            news(&from),
            Some(GroupNews::Migrated {
                from: -55,
                to: -1001
            })
        );
    }
}
