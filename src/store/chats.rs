//! Per-chat conversation state, and which Telegram updates were handled.

use super::error::{query, StoreError};
use super::pool::{now, Store};

impl Store {
    /// The state saved for `chat_id` (JSON written by the engine), if any.
    pub async fn load_chat(&self, chat_id: i64) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT state FROM chat_state WHERE chat_id = $1")
            .bind(chat_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(query("load chat state"))
    }

    /// Saves `json` as the state of `chat_id`, replacing what was there.
    pub async fn save_chat(&self, chat_id: i64, json: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO chat_state (chat_id, state, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(chat_id)
        .bind(json)
        .bind(now())
        .execute(&self.writer)
        .await
        .map_err(query("save chat state"))?;
        Ok(())
    }

    /// True when `update_id` was marked handled (see
    /// [`Store::mark_update_handled`]), so a replayed Telegram update is
    /// handled once.
    pub async fn update_handled(&self, update_id: i64) -> Result<bool, StoreError> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = $1)")
            .bind(update_id)
            .fetch_one(&self.pool)
            .await
            .map_err(query("look up a processed update"))
    }

    /// Marks `update_id` handled; marking it again changes nothing.
    pub async fn mark_update_handled(&self, update_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO processed_updates (update_id, at) VALUES ($1, $2) ON CONFLICT (update_id) DO NOTHING",
        )
        .bind(update_id)
        .bind(now())
        .execute(&self.writer)
        .await
        .map_err(query("record a processed update"))?;
        Ok(())
    }
}
