//! The append-only audit log of closure actions. There is deliberately no
//! function here that changes or removes a row.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sqlx::SqliteConnection;

use super::error::{corrupt, query, StoreError};
use super::pool::{now, Store};
use crate::accounts::{Closure, IdempotencyKey, Phone};

/// What a row of the log stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    /// An external service is about to be asked to act.
    Attempt,
    /// The action happened or needed no doing: the key is settled.
    Outcome,
    /// Nothing was done.
    Failure,
}

impl AuditKind {
    /// `attempt`, `outcome` or `failure`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Attempt => "attempt",
            AuditKind::Outcome => "outcome",
            AuditKind::Failure => "failure",
        }
    }
}

/// The result recorded in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditResult {
    /// The request is being sent to an external service.
    Pending,
    /// The action was executed.
    Done,
    /// The action had already been executed (same key) or was not needed.
    AlreadyDone,
    /// Refused: a loan is outstanding.
    OutstandingBalance,
    /// Refused: the account's state does not allow the action.
    InvalidState,
    /// Refused: no such account.
    NotFound,
    /// Refused: the key was already used for another account or action.
    KeyReused,
    /// The account system could not be reached or failed.
    Unavailable,
    /// The account system did not answer in time; it may still act, and a
    /// retry with the same key finds out.
    Timeout,
    /// The account system answered something outside the contract.
    ProtocolError,
}

const RESULTS: [AuditResult; 10] = [
    AuditResult::Pending,
    AuditResult::Done,
    AuditResult::AlreadyDone,
    AuditResult::OutstandingBalance,
    AuditResult::InvalidState,
    AuditResult::NotFound,
    AuditResult::KeyReused,
    AuditResult::Unavailable,
    AuditResult::Timeout,
    AuditResult::ProtocolError,
];

impl AuditResult {
    /// The result as stored and printed (`done`, `already_done`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditResult::Pending => "pending",
            AuditResult::Done => "done",
            AuditResult::AlreadyDone => "already_done",
            AuditResult::OutstandingBalance => "outstanding_balance",
            AuditResult::InvalidState => "invalid_state",
            AuditResult::NotFound => "not_found",
            AuditResult::KeyReused => "key_reused",
            AuditResult::Unavailable => "unavailable",
            AuditResult::Timeout => "timeout",
            AuditResult::ProtocolError => "protocol_error",
        }
    }

    /// Which kind of row carries this result.
    pub fn kind(self) -> AuditKind {
        match self {
            AuditResult::Pending => AuditKind::Attempt,
            AuditResult::Done | AuditResult::AlreadyDone => AuditKind::Outcome,
            _ => AuditKind::Failure,
        }
    }
}

impl fmt::Display for AuditResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditResult {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RESULTS
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not an audit result"))
    }
}

/// A row to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAudit {
    /// The chat the action was asked from.
    pub chat: i64,
    /// The account's phone.
    pub phone: Phone,
    /// Which action.
    pub action: Closure,
    /// The key that makes the action happen at most once.
    pub idempotency_key: IdempotencyKey,
    /// What happened.
    pub result: AuditResult,
    /// More about the result (the amount owed, the service's error, ...).
    pub detail: Option<String>,
}

/// A row of the audit log, as `jiebei-bot audit` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the log; later rows have larger ids.
    pub id: i64,
    /// When the row was written, RFC 3339 in UTC.
    pub time: String,
    /// The chat the action was asked from.
    pub chat: i64,
    /// The account's phone.
    pub phone: Phone,
    /// `turn_off` or `cancel`.
    pub action: Closure,
    /// The key that makes the action happen at most once.
    pub idempotency_key: IdempotencyKey,
    /// What happened.
    pub result: AuditResult,
    /// More about the result, if anything.
    pub detail: Option<String>,
}

impl AuditEntry {
    /// Which kind of row this is.
    pub fn kind(&self) -> AuditKind {
        self.result.kind()
    }
}

type AuditRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
);

const SELECT: &str =
    "SELECT id, time, chat_id, phone, action, idempotency_key, result, detail FROM audit_log";

fn entry(row: AuditRow) -> Result<AuditEntry, StoreError> {
    let (id, time, chat, phone, action, key, result, detail) = row;
    Ok(AuditEntry {
        id,
        time,
        chat,
        phone: Phone::parse(&phone).map_err(corrupt("audit phone"))?,
        action: action.parse().map_err(corrupt("audit action"))?,
        idempotency_key: IdempotencyKey::parse(&key).map_err(corrupt("audit idempotency key"))?,
        result: result.parse().map_err(corrupt("audit result"))?,
        detail,
    })
}

/// What appending a row to the log did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// The row was written.
    Written(AuditEntry),
    /// The row was an outcome for a key already settled by this earlier
    /// row; nothing was written and the earlier outcome stands.
    Settled(AuditEntry),
}

/// Appends `row`, unless it is an outcome and the key already has one.
pub(super) async fn append(
    conn: &mut SqliteConnection,
    row: &NewAudit,
) -> Result<Appended, StoreError> {
    let written: Option<AuditRow> = sqlx::query_as(
        "INSERT INTO audit_log (time, chat_id, phone, action, idempotency_key, kind, result, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING \
         RETURNING id, time, chat_id, phone, action, idempotency_key, result, detail",
    )
    .bind(now())
    .bind(row.chat)
    .bind(row.phone.as_str())
    .bind(row.action.as_str())
    .bind(row.idempotency_key.as_str())
    .bind(row.result.kind().as_str())
    .bind(row.result.as_str())
    .bind(row.detail.as_deref())
    .fetch_optional(&mut *conn)
    .await
    .map_err(query("append to the audit log"))?;
    if let Some(written) = written {
        return Ok(Appended::Written(entry(written)?));
    }
    match outcome(conn, &row.idempotency_key).await? {
        Some(earlier) => Ok(Appended::Settled(earlier)),
        None => Err(StoreError::Corrupt {
            what: "audit log",
            detail: format!(
                "appending for key {} conflicted, yet the key has no outcome",
                row.idempotency_key
            ),
        }),
    }
}

/// The outcome row that settled `key`, if any.
pub(super) async fn outcome(
    conn: &mut SqliteConnection,
    key: &IdempotencyKey,
) -> Result<Option<AuditEntry>, StoreError> {
    let row: Option<AuditRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE idempotency_key = $1 AND kind = 'outcome'"
    ))
    .bind(key.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(query("look up an idempotency key"))?;
    row.map(entry).transpose()
}

impl Store {
    /// Appends `row` to the audit log. An outcome for a key that already
    /// has one is not written; the earlier outcome is returned instead,
    /// and is what the caller must report.
    pub async fn append_audit(&self, row: &NewAudit) -> Result<Appended, StoreError> {
        let mut conn = self.acquire_writer().await?;
        append(&mut conn, row).await
    }

    /// The outcome that settled `key` (`done` or `already_done`), if any;
    /// attempts and failures do not settle a key.
    pub async fn find_audit(&self, key: &IdempotencyKey) -> Result<Option<AuditEntry>, StoreError> {
        let mut conn = self.acquire().await?;
        outcome(&mut conn, key).await
    }

    /// Every row written for `key`, oldest first.
    pub async fn audit_for_key(&self, key: &IdempotencyKey) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> =
            sqlx::query_as(&format!("{SELECT} WHERE idempotency_key = $1 ORDER BY id"))
                .bind(key.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(query("read the audit log"))?;
        rows.into_iter().map(entry).collect()
    }

    /// The whole audit log, oldest first.
    pub async fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = sqlx::query_as(&format!("{SELECT} ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .map_err(query("read the audit log"))?;
        rows.into_iter().map(entry).collect()
    }
}
