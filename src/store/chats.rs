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

    /// True the first time `update_id` is seen, false on every redelivery,
    /// so a replayed Telegram update is handled once.
    pub async fn first_time(&self, update_id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO processed_updates (update_id, at) VALUES ($1, $2) ON CONFLICT (update_id) DO NOTHING",
        )
        .bind(update_id)
        .bind(now())
        .execute(&self.writer)
        .await
        .map_err(query("record a processed update"))?;
        Ok(done.rows_affected() == 1)
    }
}
