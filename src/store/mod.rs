//! The database: chat state, the built-in account ledger, the audit log of
//! closure actions, the Telegram updates already handled, tickets for
//! human agents and the questions the bot could not answer. Every SQL
//! statement of the crate lives under this module.
//!
//! # Backends
//!
//! SQLite only for now (`sqlite://data/jiebei.db` by default, or
//! `sqlite::memory:` for tests). Migrations live in `migrations/sqlite/`
//! and run on [`Store::connect`]. The queries use `$1`-style parameters,
//! `ON CONFLICT … DO NOTHING|UPDATE` and no SQLite-only functions, so they
//! also run on PostgreSQL; only the DDL (`INTEGER PRIMARY KEY`, triggers)
//! and the way a transaction takes its lock differ per backend.
//!
//! # The audit log and "a key acts once"
//!
//! `audit_log` is append-only: the crate has no statement that updates or
//! deletes a row, and triggers make the database refuse it as well. Each row
//! has a `kind`:
//!
//! - `attempt` (`result = pending`): an external account service is about to
//!   be asked to act with this key;
//! - `outcome` (`done` or `already_done`): the action happened, or needed no
//!   doing; the key is *settled*;
//! - `failure` (`outstanding_balance`, `invalid_state`, `not_found`,
//!   `unavailable`, `timeout`, `protocol_error`, `key_reused`): nothing was
//!   done; the key may be tried again.
//!
//! A partial unique index allows at most one `outcome` per idempotency key.
//! Before acting, the key's outcome is looked up; if there is one, its
//! result is reported and nothing acts again.
//!
//! - **Built-in ledger**: the account change and its `outcome` row are
//!   written in one transaction ([`Store::apply_closure`]). The transaction
//!   takes the write lock first (`BEGIN IMMEDIATE`; on PostgreSQL the
//!   unique index plays that part), looks the key up, reads the account,
//!   changes it and appends the row. Two concurrent calls with one key are
//!   serialised, and if the outcome insert still meets a conflict the whole
//!   transaction is rolled back, so the account change cannot happen
//!   without its row, nor twice. A crash before commit leaves neither.
//! - **External service** ([`crate::accounts::Audited`]): an `attempt` row
//!   is appended before the request and an `outcome` or `failure` row after
//!   it; calls with one key take turns within the process. A crash (or a
//!   timeout) in between leaves an `attempt` without an outcome: the remote
//!   may or may not have acted. Retrying with the same key is safe because
//!   the key is sent as the `Idempotency-Key` header, and the remote
//!   answers "already done" instead of acting again; that answer then
//!   settles the key here. If two replicas race, the unique index keeps
//!   the first outcome and the other caller reports it.
//!
//! # Layout
//!
//! - `pool`: [`Store`], connecting and migrating.
//! - `chats`: per-chat state and the dedupe of redelivered updates.
//! - `audit`: [`AuditEntry`], appending and reading the log.
//! - `ledger`: account rows and the one-transaction closure.
//! - `tickets`: tickets, transcripts, each chat's last turns and the
//!   ticket ↔ support-group mapping (used through [`crate::handoff`]).
//! - `unanswered`: questions the bot could not answer.
//! - `error`: [`StoreError`].

mod audit;
mod chats;
mod error;
mod ledger;
mod pool;
mod tickets;
mod unanswered;

pub use audit::{Appended, AuditEntry, AuditKind, AuditResult, NewAudit};
pub use error::StoreError;
pub use ledger::{Applied, LedgerAccount, Verdict};
pub use pool::{Store, DEFAULT_DATABASE_URL};
