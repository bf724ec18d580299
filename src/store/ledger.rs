//! The built-in ledger's account rows, and the one transaction that
//! changes an account and records it in the audit log together.

use sqlx::SqliteConnection;

use super::audit::{self, Appended, AuditEntry, NewAudit};
use super::error::{corrupt, query, StoreError};
use super::pool::{now, Store};
use crate::accounts::{AccountState, AccountStatus, IdempotencyKey, Money, Phone};

/// An account row of the built-in ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerAccount {
    /// The phone the account is registered with.
    pub phone: Phone,
    /// State, amount owed, overdue flag.
    pub status: AccountStatus,
    /// When the row last changed, RFC 3339 in UTC.
    pub updated_at: String,
}

/// What the ledger's rules decided about a closure request: the new state
/// to write, if any, and the audit row to append either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The state to move the account to; `None` changes nothing.
    pub new_state: Option<AccountState>,
    /// The row recording the decision.
    pub audit: NewAudit,
}

/// How [`Store::apply_closure`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied<T> {
    /// The verdict was carried out and recorded; here is what the rules returned with it.
    Recorded(T),
    /// The key had already been settled by this earlier row; nothing was done.
    Settled(AuditEntry),
}

type AccountRow = (String, String, i64, bool, String);

const SELECT: &str = "SELECT phone, state, outstanding_cents, overdue, updated_at FROM accounts";

fn account(
    (phone, state, cents, overdue, updated_at): AccountRow,
) -> Result<LedgerAccount, StoreError> {
    Ok(LedgerAccount {
        phone: Phone::parse(&phone).map_err(corrupt("account phone"))?,
        status: AccountStatus {
            state: state.parse().map_err(corrupt("account state"))?,
            outstanding: Money::from_cents(cents),
            overdue,
        },
        updated_at,
    })
}

async fn read_account(
    conn: &mut SqliteConnection,
    phone: &Phone,
) -> Result<Option<LedgerAccount>, StoreError> {
    let row: Option<AccountRow> = sqlx::query_as(&format!("{SELECT} WHERE phone = $1"))
        .bind(phone.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(query("read an account"))?;
    row.map(account).transpose()
}

impl Store {
    /// The ledger account registered with `phone`, if any.
    pub async fn account(&self, phone: &Phone) -> Result<Option<LedgerAccount>, StoreError> {
        let mut conn = self.acquire().await?;
        read_account(&mut conn, phone).await
    }

    /// Every ledger account, by phone.
    pub async fn accounts(&self) -> Result<Vec<LedgerAccount>, StoreError> {
        let rows: Vec<AccountRow> = sqlx::query_as(&format!("{SELECT} ORDER BY phone"))
            .fetch_all(&self.pool)
            .await
            .map_err(query("list accounts"))?;
        rows.into_iter().map(account).collect()
    }

    /// Adds an account; `false` (and nothing changed) when the phone is
    /// already registered.
    pub async fn insert_account(
        &self,
        phone: &Phone,
        status: &AccountStatus,
    ) -> Result<bool, StoreError> {
        self.write_account(phone, status, "DO NOTHING", "add an account")
            .await
    }

    /// Adds the account, or overwrites its state, amount and overdue flag.
    pub async fn put_account(
        &self,
        phone: &Phone,
        status: &AccountStatus,
    ) -> Result<(), StoreError> {
        let overwrite = "DO UPDATE SET state = excluded.state, \
             outstanding_cents = excluded.outstanding_cents, \
             overdue = excluded.overdue, updated_at = excluded.updated_at";
        self.write_account(phone, status, overwrite, "write an account")
            .await?;
        Ok(())
    }

    /// Inserts an account row, doing `on_conflict` when the phone exists;
    /// true when a row was written.
    async fn write_account(
        &self,
        phone: &Phone,
        status: &AccountStatus,
        on_conflict: &str,
        what: &'static str,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "INSERT INTO accounts (phone, state, outstanding_cents, overdue, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (phone) {on_conflict}"
        );
        let done = sqlx::query(&sql)
            .bind(phone.as_str())
            .bind(status.state.as_str())
            .bind(status.outstanding.cents())
            .bind(status.overdue)
            .bind(now())
            .execute(&self.writer)
            .await
            .map_err(query(what))?;
        Ok(done.rows_affected() == 1)
    }

    /// Changes the given fields of an account; returns the account as it
    /// now is, or `None` when no account has this phone.
    pub async fn update_account(
        &self,
        phone: &Phone,
        outstanding: Option<Money>,
        state: Option<AccountState>,
        overdue: Option<bool>,
    ) -> Result<Option<LedgerAccount>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(
            "UPDATE accounts SET \
             outstanding_cents = COALESCE($2, outstanding_cents), \
             state = COALESCE($3, state), \
             overdue = COALESCE($4, overdue), \
             updated_at = $5 \
             WHERE phone = $1 \
             RETURNING phone, state, outstanding_cents, overdue, updated_at",
        )
        .bind(phone.as_str())
        .bind(outstanding.map(Money::cents))
        .bind(state.map(AccountState::as_str))
        .bind(overdue)
        .bind(now())
        .fetch_optional(&self.writer)
        .await
        .map_err(query("change an account"))?;
        row.map(account).transpose()
    }

    /// Runs one closure request on the ledger as a single transaction:
    /// if `key` is already settled, returns that outcome and does nothing;
    /// otherwise reads the account, asks `decide` (the ledger's rules) for
    /// a verdict, writes the new state if any and appends the verdict's
    /// audit row. Either all of it is committed or none of it.
    pub async fn apply_closure<T>(
        &self,
        phone: &Phone,
        key: &IdempotencyKey,
        decide: impl FnOnce(Option<&AccountStatus>) -> (Verdict, T),
    ) -> Result<Applied<T>, StoreError> {
        // IMMEDIATE takes the write lock now, so the key lookup and the
        // account read below cannot go stale before the writes.
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(query("start a closure transaction"))?;
        if let Some(earlier) = audit::outcome(&mut tx, key).await? {
            tx.rollback()
                .await
                .map_err(query("roll back a closure transaction"))?;
            return Ok(Applied::Settled(earlier));
        }
        let current = read_account(&mut tx, phone).await?;
        let (verdict, value) = decide(current.as_ref().map(|a| &a.status));
        if let Some(state) = verdict.new_state {
            sqlx::query("UPDATE accounts SET state = $1, updated_at = $2 WHERE phone = $3")
                .bind(state.as_str())
                .bind(now())
                .bind(phone.as_str())
                .execute(&mut *tx)
                .await
                .map_err(query("change an account's state"))?;
        }
        match audit::append(&mut tx, &verdict.audit).await? {
            Appended::Written(_) => {
                tx.commit()
                    .await
                    .map_err(query("commit a closure transaction"))?;
                Ok(Applied::Recorded(value))
            }
            Appended::Settled(earlier) => {
                // Another writer settled the key after all: undo our change.
                tx.rollback()
                    .await
                    .map_err(query("roll back a closure transaction"))?;
                Ok(Applied::Settled(earlier))
            }
        }
    }
}
