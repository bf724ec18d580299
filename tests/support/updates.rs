//! The JSON of the updates a test makes Telegram deliver: who sends them
//! (a [`Person`]), from where (a private chat or a group) and what.

use serde_json::{json, Value};

/// A Telegram user talking to the bot.
#[derive(Debug, Clone)]
pub struct Person {
    /// Their user id (also their private chat's id).
    pub id: i64,
    /// Their first name.
    pub first_name: String,
    /// Their app's language, as Telegram reports it (`"en"`, `"zh-hans"` ...).
    pub language_code: Option<String>,
}

impl Person {
    /// Someone whose app speaks `language_code` (`None`: Telegram sent none).
    pub fn new(id: i64, language_code: Option<&str>) -> Person {
        Person {
            id,
            first_name: format!("User{id}"),
            language_code: language_code.map(str::to_string),
        }
    }

    /// The `User` object.
    pub fn user_json(&self) -> Value {
        let mut user = json!({ "id": self.id, "is_bot": false, "first_name": self.first_name });
        if let Some(code) = &self.language_code {
            user["language_code"] = json!(code);
        }
        user
    }

    /// Their private chat with the bot.
    pub fn private_chat_json(&self) -> Value {
        json!({ "id": self.id, "type": "private", "first_name": self.first_name })
    }
}

/// A group or supergroup the bot is in.
#[derive(Debug, Clone)]
pub struct Group {
    /// Its chat id (negative; supergroups start with -100).
    pub id: i64,
    /// Its title.
    pub title: String,
    /// A supergroup (else a basic group).
    pub supergroup: bool,
    /// A supergroup with forum topics.
    pub forum: bool,
}

impl Group {
    /// The `Chat` object.
    pub fn chat_json(&self) -> Value {
        let kind = if self.supergroup {
            "supergroup"
        } else {
            "group"
        };
        let mut chat = json!({ "id": self.id, "type": kind, "title": self.title });
        if self.forum {
            chat["is_forum"] = json!(true);
        }
        chat
    }
}

/// Something a person can send that is not text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// A sticker.
    Sticker,
    /// A photo.
    Photo,
    /// A voice note.
    Voice,
    /// A video.
    Video,
    /// A file.
    Document,
    /// A location.
    Location,
}

impl Media {
    /// Every kind, for tests that try them all.
    pub const ALL: [Media; 6] = [
        Media::Sticker,
        Media::Photo,
        Media::Voice,
        Media::Video,
        Media::Document,
        Media::Location,
    ];

    /// The message fields that carry this media.
    pub fn fields(self) -> Value {
        let file = |id: &str| json!({ "file_id": id, "file_unique_id": format!("u{id}") });
        match self {
            Media::Sticker => json!({ "sticker": {
                "file_id": "st1", "file_unique_id": "ust1", "type": "regular",
                "width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "😀"
            }}),
            Media::Photo => {
                let mut size = file("ph1");
                size["width"] = json!(90);
                size["height"] = json!(90);
                json!({ "photo": [size] })
            }
            Media::Voice => {
                let mut voice = file("vo1");
                voice["duration"] = json!(3);
                voice["mime_type"] = json!("audio/ogg");
                json!({ "voice": voice })
            }
            Media::Video => {
                let mut video = file("vi1");
                for (k, v) in [("width", 640), ("height", 480), ("duration", 5)] {
                    video[k] = json!(v);
                }
                video["mime_type"] = json!("video/mp4");
                json!({ "video": video })
            }
            Media::Document => json!({ "document": file("do1") }),
            Media::Location => json!({ "location": { "latitude": 31.23, "longitude": 121.47 } }),
        }
    }
}

/// Merges the fields of `extra` into the object `base`.
pub fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
    base
}
