//! Tickets, their reasons and transcripts, the rolling window of each
//! chat's last turns, and where tickets live in the support group.
//!
//! Every state change is one conditional statement (`UPDATE … WHERE status
//! = 'open' RETURNING …`), so of two agents, two connections or two
//! replicas acting at once exactly one wins and the other reads who did.

use sqlx::SqliteConnection;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::error::{corrupt, query, StoreError};
use super::pool::Store;
use crate::handoff::{
    mask, Assign, Rate, Rating, Reason, Relay, Resolve, Role, Status, Ticket, TicketId, Turn,
    TRANSCRIPT_TURNS,
};
use crate::lang::Lang;

/// A time as this module stores it: RFC 3339 in UTC, to the second, so
/// stored times have one width and compare correctly as text.
pub(super) fn stamp(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("zero nanoseconds is always valid")
        .format(&Rfc3339)
        .expect("a UTC time always formats as RFC 3339")
}

/// A stored time read back.
pub(super) fn unstamp(what: &'static str, s: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(corrupt(what))
}

const COLUMNS: &str = "id, chat_id, lang, reason, reason_detail, status, assigned_to, \
     created_at, updated_at, first_agent_reply_at, resolved_at, rating, \
     support_chat_id, support_thread_id, card_message_id";

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: i64,
    chat_id: i64,
    lang: String,
    reason: String,
    reason_detail: Option<String>,
    status: String,
    assigned_to: Option<String>,
    created_at: String,
    updated_at: String,
    first_agent_reply_at: Option<String>,
    resolved_at: Option<String>,
    rating: Option<i64>,
    support_chat_id: Option<i64>,
    support_thread_id: Option<i64>,
    card_message_id: Option<i64>,
}

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;

    fn try_from(row: TicketRow) -> Result<Ticket, StoreError> {
        let time = |s: Option<String>| s.map(|s| unstamp("ticket time", &s)).transpose();
        Ok(Ticket {
            id: TicketId::new(row.id).ok_or_else(|| StoreError::Corrupt {
                what: "ticket id",
                detail: row.id.to_string(),
            })?,
            chat: row.chat_id,
            lang: row.lang.parse().map_err(corrupt("ticket language"))?,
            reason: Reason::from_parts(&row.reason, row.reason_detail)
                .map_err(corrupt("ticket reason"))?,
            status: row.status.parse().map_err(corrupt("ticket status"))?,
            assigned_to: row.assigned_to,
            created: unstamp("ticket time", &row.created_at)?,
            updated: unstamp("ticket time", &row.updated_at)?,
            first_agent_reply: time(row.first_agent_reply_at)?,
            resolved: time(row.resolved_at)?,
            rating: row
                .rating
                .map(Rating::new)
                .transpose()
                .map_err(corrupt("ticket rating"))?,
            relay: Relay {
                support_chat: row.support_chat_id,
                thread: row.support_thread_id,
                card_message: row.card_message_id,
            },
        })
    }
}

/// Reads at most one ticket with `sql` (which selects [`COLUMNS`]) and `binds`.
async fn one(
    conn: &mut SqliteConnection,
    sql: &str,
    binds: &[i64],
    what: &'static str,
) -> Result<Option<Ticket>, StoreError> {
    let mut q = sqlx::query_as::<_, TicketRow>(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let row = q.fetch_optional(&mut *conn).await.map_err(query(what))?;
    row.map(Ticket::try_from).transpose()
}

async fn by_id(conn: &mut SqliteConnection, id: TicketId) -> Result<Option<Ticket>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM tickets WHERE id = $1");
    one(conn, &sql, &[id.get()], "read a ticket").await
}

async fn open_of(conn: &mut SqliteConnection, chat: i64) -> Result<Option<Ticket>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM tickets WHERE chat_id = $1 AND status <> 'resolved'");
    one(conn, &sql, &[chat], "find a chat's open ticket").await
}

async fn add_reason(
    conn: &mut SqliteConnection,
    id: i64,
    reason: &Reason,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO ticket_reasons (ticket_id, reason, detail, at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(reason.kind())
    .bind(reason.detail())
    .bind(at)
    .execute(&mut *conn)
    .await
    .map_err(query("add a reason to a ticket"))?;
    Ok(())
}

impl Store {
    /// Appends turns (masked here, whatever the caller did) to the chat's
    /// rolling window, dropping turns beyond the last
    /// [`TRANSCRIPT_TURNS`], and to the chat's open ticket if it has one;
    /// all in one transaction, so a conversation turn costs one commit.
    pub(crate) async fn record_turns(
        &self,
        chat: i64,
        turns: &[(Role, &str)],
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if turns.is_empty() {
            return Ok(());
        }
        let at = stamp(at);
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(query("start recording a turn"))?;
        for (role, text) in turns {
            let text = mask(text);
            sqlx::query("INSERT INTO chat_turns (chat_id, role, text, at) VALUES ($1, $2, $3, $4)")
                .bind(chat)
                .bind(role.as_str())
                .bind(&text)
                .bind(&at)
                .execute(&mut *tx)
                .await
                .map_err(query("record a turn"))?;
            sqlx::query(
                "INSERT INTO ticket_turns (ticket_id, role, text, at) \
                 SELECT id, $2, $3, $4 FROM tickets WHERE chat_id = $1 AND status <> 'resolved'",
            )
            .bind(chat)
            .bind(role.as_str())
            .bind(&text)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(query("add a turn to a transcript"))?;
        }
        sqlx::query(
            "DELETE FROM chat_turns WHERE chat_id = $1 AND id <= \
             (SELECT id FROM chat_turns WHERE chat_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
        )
        .bind(chat)
        .bind(TRANSCRIPT_TURNS as i64)
        .execute(&mut *tx)
        .await
        .map_err(query("drop a chat's old turns"))?;
        tx.commit().await.map_err(query("commit a turn"))
    }

    /// The chat's open ticket with `reason` added, or a new ticket whose
    /// transcript starts with the chat's last turns; true when new.
    pub(crate) async fn open_ticket(
        &self,
        chat: i64,
        lang: Lang,
        reason: &Reason,
        at: OffsetDateTime,
    ) -> Result<(Ticket, bool), StoreError> {
        let at = stamp(at);
        // IMMEDIATE: the lookup and the insert below see the same world.
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(query("start opening a ticket"))?;
        let (ticket, created) = match open_of(&mut tx, chat).await? {
            Some(open) => {
                add_reason(&mut tx, open.id.get(), reason, &at).await?;
                let sql =
                    format!("UPDATE tickets SET updated_at = $2 WHERE id = $1 RETURNING {COLUMNS}");
                let row: TicketRow = sqlx::query_as(&sql)
                    .bind(open.id.get())
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(query("touch a ticket"))?;
                (Ticket::try_from(row)?, false)
            }
            None => {
                let sql = format!(
                    "INSERT INTO tickets (chat_id, lang, reason, reason_detail, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, 'open', $5, $5) RETURNING {COLUMNS}"
                );
                let row: TicketRow = sqlx::query_as(&sql)
                    .bind(chat)
                    .bind(lang.code())
                    .bind(reason.kind())
                    .bind(reason.detail())
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(query("open a ticket"))?;
                let ticket = Ticket::try_from(row)?;
                add_reason(&mut tx, ticket.id.get(), reason, &at).await?;
                sqlx::query(
                    "INSERT INTO ticket_turns (ticket_id, role, text, at) \
                     SELECT $1, role, text, at FROM chat_turns WHERE chat_id = $2 ORDER BY id",
                )
                .bind(ticket.id.get())
                .bind(chat)
                .execute(&mut *tx)
                .await
                .map_err(query("start a ticket's transcript"))?;
                (ticket, true)
            }
        };
        tx.commit().await.map_err(query("commit a ticket"))?;
        Ok((ticket, created))
    }

    /// The chat's ticket that is not resolved yet, if any.
    pub(crate) async fn open_ticket_of(&self, chat: i64) -> Result<Option<Ticket>, StoreError> {
        open_of(&mut *self.acquire().await?, chat).await
    }

    /// The ticket with this id.
    pub(crate) async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        by_id(&mut *self.acquire().await?, id).await
    }

    /// Every ticket, or those with `status`, oldest first.
    pub(crate) async fn tickets(&self, status: Option<Status>) -> Result<Vec<Ticket>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM tickets WHERE $1 IS NULL OR status = $1 ORDER BY id");
        let rows: Vec<TicketRow> = sqlx::query_as(&sql)
            .bind(status.map(Status::as_str))
            .fetch_all(&self.pool)
            .await
            .map_err(query("list tickets"))?;
        rows.into_iter().map(Ticket::try_from).collect()
    }

    /// Every reason the ticket was asked for, oldest first.
    pub(crate) async fn ticket_reasons(
        &self,
        id: TicketId,
    ) -> Result<Vec<(Reason, OffsetDateTime)>, StoreError> {
        let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT reason, detail, at FROM ticket_reasons WHERE ticket_id = $1 ORDER BY id",
        )
        .bind(id.get())
        .fetch_all(&self.pool)
        .await
        .map_err(query("read a ticket's reasons"))?;
        rows.into_iter()
            .map(|(kind, detail, at)| {
                let reason = Reason::from_parts(&kind, detail).map_err(corrupt("ticket reason"))?;
                Ok((reason, unstamp("ticket reason time", &at)?))
            })
            .collect()
    }

    /// The last [`TRANSCRIPT_TURNS`] turns of the ticket, oldest first.
    pub(crate) async fn ticket_transcript(&self, id: TicketId) -> Result<Vec<Turn>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT role, text, at FROM \
             (SELECT id, role, text, at FROM ticket_turns WHERE ticket_id = $1 ORDER BY id DESC LIMIT $2) AS last \
             ORDER BY id",
        )
        .bind(id.get())
        .bind(TRANSCRIPT_TURNS as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(query("read a transcript"))?;
        rows.into_iter()
            .map(|(role, text, at)| {
                Ok(Turn {
                    role: role.parse().map_err(corrupt("transcript role"))?,
                    text,
                    at: unstamp("transcript time", &at)?,
                })
            })
            .collect()
    }

    /// Gives an open ticket to `agent`; the first of concurrent callers wins.
    pub(crate) async fn assign_ticket(
        &self,
        id: TicketId,
        agent: &str,
        at: OffsetDateTime,
    ) -> Result<Assign, StoreError> {
        let sql = format!(
            "UPDATE tickets SET status = 'assigned', assigned_to = $2, updated_at = $3 \
             WHERE id = $1 AND status = 'open' RETURNING {COLUMNS}"
        );
        let row: Option<TicketRow> = sqlx::query_as(&sql)
            .bind(id.get())
            .bind(agent)
            .bind(stamp(at))
            .fetch_optional(&self.writer)
            .await
            .map_err(query("assign a ticket"))?;
        if let Some(row) = row {
            return Ok(Assign::Assigned(row.try_into()?));
        }
        Ok(match self.ticket(id).await? {
            None => Assign::NotFound,
            Some(t) if t.status == Status::Resolved => Assign::Resolved,
            Some(t) => match t.assigned_to.clone() {
                Some(to) if to == agent => Assign::Assigned(t),
                Some(to) => Assign::AlreadyAssigned { to },
                None => Assign::NotFound,
            },
        })
    }

    /// Records the first agent reply's time; true if this was the first.
    pub(crate) async fn note_agent_reply(
        &self,
        id: TicketId,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE tickets SET first_agent_reply_at = $2, updated_at = $2 \
             WHERE id = $1 AND first_agent_reply_at IS NULL",
        )
        .bind(id.get())
        .bind(stamp(at))
        .execute(&self.writer)
        .await
        .map_err(query("note an agent's reply"))?;
        Ok(done.rows_affected() == 1)
    }

    /// Resolves a ticket that is not resolved yet.
    pub(crate) async fn resolve_ticket(
        &self,
        id: TicketId,
        at: OffsetDateTime,
    ) -> Result<Resolve, StoreError> {
        let sql = format!(
            "UPDATE tickets SET status = 'resolved', resolved_at = $2, updated_at = $2 \
             WHERE id = $1 AND status <> 'resolved' RETURNING {COLUMNS}"
        );
        let row: Option<TicketRow> = sqlx::query_as(&sql)
            .bind(id.get())
            .bind(stamp(at))
            .fetch_optional(&self.writer)
            .await
            .map_err(query("resolve a ticket"))?;
        if let Some(row) = row {
            return Ok(Resolve::Resolved(row.try_into()?));
        }
        Ok(match self.ticket(id).await? {
            Some(t) => Resolve::AlreadyResolved(t),
            None => Resolve::NotFound,
        })
    }

    /// Stores the rating of a resolved ticket of `chat`, once.
    pub(crate) async fn rate_ticket(
        &self,
        id: TicketId,
        chat: i64,
        rating: Rating,
        at: OffsetDateTime,
    ) -> Result<Rate, StoreError> {
        let done = sqlx::query(
            "UPDATE tickets SET rating = $3, updated_at = $4 \
             WHERE id = $1 AND chat_id = $2 AND status = 'resolved' AND rating IS NULL",
        )
        .bind(id.get())
        .bind(chat)
        .bind(i64::from(rating.stars()))
        .bind(stamp(at))
        .execute(&self.writer)
        .await
        .map_err(query("rate a ticket"))?;
        if done.rows_affected() == 1 {
            return Ok(Rate::Rated);
        }
        Ok(match self.ticket(id).await? {
            Some(t) if t.chat != chat => Rate::NotFound,
            Some(Ticket {
                rating: Some(first),
                ..
            }) => Rate::AlreadyRated(first),
            Some(_) => Rate::NotResolved,
            None => Rate::NotFound,
        })
    }

    /// Records the ticket's forum topic in the support group.
    pub(crate) async fn set_ticket_thread(
        &self,
        id: TicketId,
        support_chat: i64,
        thread: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE tickets SET support_chat_id = $2, support_thread_id = $3 WHERE id = $1",
        )
        .bind(id.get())
        .bind(support_chat)
        .bind(thread)
        .execute(&self.writer)
        .await
        .map_err(query("record a ticket's topic"))?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the ticket's card message, and routes replies to it.
    pub(crate) async fn set_ticket_card(
        &self,
        id: TicketId,
        support_chat: i64,
        message: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(query("start recording a ticket's card"))?;
        let done = sqlx::query(
            "UPDATE tickets SET support_chat_id = $2, card_message_id = $3 WHERE id = $1",
        )
        .bind(id.get())
        .bind(support_chat)
        .bind(message)
        .execute(&mut *tx)
        .await
        .map_err(query("record a ticket's card"))?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        link(&mut tx, id, support_chat, message).await?;
        tx.commit().await.map_err(query("commit a ticket's card"))?;
        Ok(true)
    }

    /// Routes replies to `message` in the support group to the ticket;
    /// false when there is no such ticket.
    pub(crate) async fn link_ticket_message(
        &self,
        id: TicketId,
        support_chat: i64,
        message: i64,
    ) -> Result<bool, StoreError> {
        link(
            &mut *self.acquire_writer().await?,
            id,
            support_chat,
            message,
        )
        .await
    }

    /// The newest ticket whose topic is `thread` in `support_chat`.
    pub(crate) async fn ticket_by_thread(
        &self,
        support_chat: i64,
        thread: i64,
    ) -> Result<Option<Ticket>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM tickets WHERE support_chat_id = $1 AND support_thread_id = $2 \
             ORDER BY id DESC LIMIT 1"
        );
        let mut conn = self.acquire().await?;
        one(
            &mut conn,
            &sql,
            &[support_chat, thread],
            "find a topic's ticket",
        )
        .await
    }

    /// The ticket that `message` in `support_chat` belongs to.
    pub(crate) async fn ticket_by_message(
        &self,
        support_chat: i64,
        message: i64,
    ) -> Result<Option<Ticket>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM tickets WHERE id = (SELECT ticket_id FROM ticket_messages \
             WHERE support_chat_id = $1 AND support_message_id = $2)"
        );
        let mut conn = self.acquire().await?;
        one(
            &mut conn,
            &sql,
            &[support_chat, message],
            "find a message's ticket",
        )
        .await
    }
}

/// Points `message` at the ticket (a later link of the same message wins).
async fn link(
    conn: &mut SqliteConnection,
    id: TicketId,
    support_chat: i64,
    message: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO ticket_messages (support_chat_id, support_message_id, ticket_id) \
         SELECT $1, $2, id FROM tickets WHERE id = $3 \
         ON CONFLICT (support_chat_id, support_message_id) DO UPDATE SET ticket_id = excluded.ticket_id",
    )
    .bind(support_chat)
    .bind(message)
    .bind(id.get())
    .execute(&mut *conn)
    .await
    .map_err(query("route a support message to a ticket"))?;
    Ok(done.rows_affected() == 1)
}
