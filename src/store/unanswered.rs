//! Questions the bot could not answer, kept (masked) so an operator can see
//! which FAQ entries or phrasings to add next.

use time::OffsetDateTime;

use super::error::{corrupt, query, StoreError};
use super::pool::Store;
use super::tickets::{stamp, unstamp};
use crate::handoff::{mask, Unanswered};
use crate::lang::Lang;

impl Store {
    /// Stores a question the bot could not answer, masked here.
    pub(crate) async fn record_unanswered(
        &self,
        lang: Lang,
        text: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO unanswered (lang, text, at) VALUES ($1, $2, $3)")
            .bind(lang.code())
            .bind(mask(text))
            .bind(stamp(at))
            .execute(&self.writer)
            .await
            .map_err(query("record an unanswered question"))?;
        Ok(())
    }

    /// The unanswered questions stored at or after `since` (all of them
    /// without), oldest first.
    pub(crate) async fn unanswered(
        &self,
        since: Option<OffsetDateTime>,
    ) -> Result<Vec<Unanswered>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT lang, text, at FROM unanswered WHERE $1 IS NULL OR at >= $1 ORDER BY id",
        )
        .bind(since.map(stamp))
        .fetch_all(&self.pool)
        .await
        .map_err(query("read unanswered questions"))?;
        rows.into_iter()
            .map(|(lang, text, at)| {
                Ok(Unanswered {
                    lang: lang.parse().map_err(corrupt("unanswered language"))?,
                    text,
                    at: unstamp("unanswered time", &at)?,
                })
            })
            .collect()
    }
}
