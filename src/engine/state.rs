//! Per-chat state and where it is kept: behind [`ChatStore`], in memory for
//! tests and the `ask` command, in the database when the bot runs.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::closure;
use crate::lang::Lang;

use super::types::ChatId;

/// Bumped when a stored state can no longer be read by this version.
pub const STATE_VERSION: u32 = 1;

/// Everything the bot remembers about one chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatState {
    /// The format version this state was written in.
    pub version: u32,
    /// Language pinned with `/lang`.
    pub pinned: Option<Lang>,
    /// Language of the last reply.
    pub last: Option<Lang>,
    /// Fallbacks in a row (reset by any understood message).
    pub misses: u32,
    /// The closure flow and the chat's verified identity.
    pub closure: closure::State,
}

impl Default for ChatState {
    fn default() -> Self {
        ChatState {
            version: STATE_VERSION,
            pinned: None,
            last: None,
            misses: 0,
            closure: closure::State::default(),
        }
    }
}

impl ChatState {
    /// Reads a stored state; `None` when it was written by an incompatible
    /// version or is damaged (the caller resets the chat and says so).
    pub fn from_json(json: &str) -> Option<ChatState> {
        let state: ChatState = serde_json::from_str(json).ok()?;
        (state.version == STATE_VERSION).then_some(state)
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("chat state always serialises")
    }
}

/// Failure to read or write chat state.
#[derive(Debug, thiserror::Error)]
#[error("chat state storage failed: {0}")]
pub struct ChatStoreError(pub String);

/// Where chat states live.
#[async_trait]
pub trait ChatStore: Send + Sync {
    /// The stored state of `chat`, if any.
    async fn load(&self, chat: ChatId) -> Result<Option<String>, ChatStoreError>;
    /// Replaces the stored state of `chat`.
    async fn save(&self, chat: ChatId, json: &str) -> Result<(), ChatStoreError>;
}

/// Chat states in memory, for tests and one-shot commands.
#[derive(Debug, Default)]
pub struct MemoryChats {
    chats: Mutex<HashMap<ChatId, String>>,
}

#[async_trait]
impl ChatStore for MemoryChats {
    async fn load(&self, chat: ChatId) -> Result<Option<String>, ChatStoreError> {
        Ok(self
            .chats
            .lock()
            .expect("chat map lock")
            .get(&chat)
            .cloned())
    }

    async fn save(&self, chat: ChatId, json: &str) -> Result<(), ChatStoreError> {
        self.chats
            .lock()
            .expect("chat map lock")
            .insert(chat, json.to_string());
        Ok(())
    }
}

#[async_trait]
impl ChatStore for crate::store::Store {
    async fn load(&self, chat: ChatId) -> Result<Option<String>, ChatStoreError> {
        self.load_chat(chat)
            .await
            .map_err(|e| ChatStoreError(e.to_string()))
    }

    async fn save(&self, chat: ChatId, json: &str) -> Result<(), ChatStoreError> {
        self.save_chat(chat, json)
            .await
            .map_err(|e| ChatStoreError(e.to_string()))
    }
}
