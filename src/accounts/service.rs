//! The account service seen by the engine: look an account up, read its
//! status, turn borrowing off or cancel it, each action at most once per key.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::audit::Audited;
use super::http::{BadServiceUrl, HttpAccountService};
use super::ledger::Ledger;
use super::types::{
    AccountRef, AccountState, AccountStatus, Closure, IdempotencyKey, Money, Phone,
};
use crate::store::{Store, StoreError};

/// How an executed action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionOutcome {
    /// The action was carried out now.
    Done,
    /// Nothing was done because nothing was left to do: this key already
    /// acted (its recorded result stands), or the account was already in
    /// the requested state.
    AlreadyDone,
}

/// Why an account operation did not happen. The first four are answers the
/// customer can be given; the rest mean something broke.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Refused: loans are outstanding and must be repaid first.
    #[error("the account still owes {0}, which must be repaid first")]
    OutstandingBalance(Money),
    /// No account is registered with this phone.
    #[error("no account is registered with this phone number")]
    NotFound,
    /// Refused: the account's state does not allow the action (for
    /// example turning borrowing off on a cancelled account).
    #[error("the account is {}, which does not allow this", .0.as_str())]
    InvalidState(AccountState),
    /// The key already settled a different account or action.
    #[error("idempotency key {0} was already used for another account or action")]
    KeyReused(IdempotencyKey),
    /// The account system cannot be reached or failed.
    #[error("the account service is unavailable: {0}")]
    Unavailable(String),
    /// The account system did not answer in time.
    #[error("the account service did not answer in time")]
    Timeout,
    /// The account system answered something outside the contract.
    #[error("the account service answered outside its contract: {0}")]
    Protocol(String),
    /// The bot's own database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccountError {
    /// True when this is an answer about the account the customer can be
    /// told; false when something broke and a retry or a human may help.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            AccountError::OutstandingBalance(_)
                | AccountError::NotFound
                | AccountError::InvalidState(_)
        )
    }
}

/// An account system. Implementations refuse to turn off or cancel while
/// anything is outstanding, whatever the caller checked before, and never
/// act twice for one idempotency key.
#[async_trait]
pub trait AccountService: Send + Sync {
    /// The account registered with `phone`, or `None`.
    async fn find_by_phone(&self, phone: &Phone) -> Result<Option<AccountRef>, AccountError>;

    /// The account's state, amount owed and overdue flag, as of now.
    async fn status(&self, account: &AccountRef) -> Result<AccountStatus, AccountError>;

    /// Carries out `action` at most once for `key`, refusing while anything
    /// is outstanding; `chat` (the chat that asked) is recorded.
    async fn execute(
        &self,
        action: Closure,
        account: &AccountRef,
        key: &IdempotencyKey,
        chat: i64,
    ) -> Result<ActionOutcome, AccountError>;

    /// Turns borrowing off, at most once for `key`.
    async fn turn_off_borrowing(
        &self,
        account: &AccountRef,
        key: &IdempotencyKey,
        chat: i64,
    ) -> Result<ActionOutcome, AccountError> {
        self.execute(Closure::TurnOff, account, key, chat).await
    }

    /// Cancels (deregisters) the account, at most once for `key`.
    async fn cancel(
        &self,
        account: &AccountRef,
        key: &IdempotencyKey,
        chat: i64,
    ) -> Result<ActionOutcome, AccountError> {
        self.execute(Closure::Cancel, account, key, chat).await
    }
}

/// The account service to use: the operator's system at `accounts_url`
/// (audited in `store`) when given, else the built-in ledger in `store`.
pub fn open(
    store: Store,
    accounts_url: Option<&str>,
    timeout: Duration,
) -> Result<Arc<dyn AccountService>, BadServiceUrl> {
    Ok(match accounts_url {
        Some(url) => Arc::new(Audited::new(store, HttpAccountService::new(url, timeout)?)),
        None => Arc::new(Ledger::new(store)),
    })
}
