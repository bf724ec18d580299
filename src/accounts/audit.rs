//! How closure actions reach the audit log: the one mapping from a result
//! to an audit row, the reading of an already-settled key, and the
//! [`Audited`] wrapper that gives any external service the same log the
//! built-in ledger writes in its own transaction.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use async_trait::async_trait;

use super::service::{AccountError, AccountService, ActionOutcome};
use super::types::{AccountRef, AccountStatus, Closure, IdempotencyKey, Phone};
use crate::store::{Appended, AuditEntry, AuditResult, NewAudit, Store};

/// The audit row recording `outcome` of `action` with `key`.
pub(super) fn audit_row(
    chat: i64,
    account: &AccountRef,
    action: Closure,
    key: &IdempotencyKey,
    outcome: &Result<ActionOutcome, AccountError>,
) -> NewAudit {
    new_row(chat, account, action, key, recorded_result(outcome))
}

/// An audit row with the given result and detail.
fn new_row(
    chat: i64,
    account: &AccountRef,
    action: Closure,
    key: &IdempotencyKey,
    (result, detail): (AuditResult, Option<String>),
) -> NewAudit {
    NewAudit {
        chat,
        phone: account.phone.clone(),
        action,
        idempotency_key: key.clone(),
        result,
        detail,
    }
}

/// How an outcome is written in the log: the result and its detail.
fn recorded_result(outcome: &Result<ActionOutcome, AccountError>) -> (AuditResult, Option<String>) {
    match outcome {
        Ok(ActionOutcome::Done) => (AuditResult::Done, None),
        Ok(ActionOutcome::AlreadyDone) => (AuditResult::AlreadyDone, None),
        Err(AccountError::OutstandingBalance(owed)) => (
            AuditResult::OutstandingBalance,
            Some(format!("outstanding {owed}")),
        ),
        Err(AccountError::NotFound) => (AuditResult::NotFound, None),
        Err(AccountError::InvalidState(state)) => (
            AuditResult::InvalidState,
            Some(format!("account is {}", state.as_str())),
        ),
        Err(AccountError::KeyReused(_)) => (AuditResult::KeyReused, None),
        Err(AccountError::Unavailable(why)) => (AuditResult::Unavailable, Some(why.clone())),
        Err(AccountError::Timeout) => (AuditResult::Timeout, None),
        Err(AccountError::Protocol(why)) => (AuditResult::ProtocolError, Some(why.clone())),
        Err(AccountError::Store(e)) => (AuditResult::Unavailable, Some(e.to_string())),
    }
}

/// What to answer when `key` was settled earlier by `earlier`: the action
/// is not repeated; a key reused for something else is an error.
pub(super) fn settled(
    earlier: &AuditEntry,
    account: &AccountRef,
    action: Closure,
) -> Result<ActionOutcome, AccountError> {
    if earlier.action == action && earlier.phone == account.phone {
        Ok(ActionOutcome::AlreadyDone)
    } else {
        Err(AccountError::KeyReused(earlier.idempotency_key.clone()))
    }
}

/// An external account service whose actions are written to the audit log:
/// an `attempt` row before the request, an `outcome` or `failure` row
/// after it. A key already settled in the log is answered from the log
/// without asking the service again.
pub struct Audited<S> {
    store: Store,
    inner: S,
    in_flight: KeyLocks,
}

/// One lock per idempotency key being acted on, so that two calls with one
/// key in this process take turns: the second then finds the first's
/// outcome in the log instead of racing it to the service (which would
/// answer one of them "already done" and could leave that as the logged
/// outcome of a key that did act). Replicas are not serialised by this;
/// for them the service's own idempotency is what holds.
#[derive(Default)]
struct KeyLocks {
    // A std Mutex, not a Tokio one: nothing awaits while it is held.
    locks: std::sync::Mutex<HashMap<IdempotencyKey, Weak<tokio::sync::Mutex<()>>>>,
}

impl KeyLocks {
    /// The lock for `key`, shared with every call holding it right now.
    fn for_key(&self, key: &IdempotencyKey) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        locks.retain(|_, lock| lock.strong_count() > 0);
        if let Some(lock) = locks.get(key).and_then(Weak::upgrade) {
            return lock;
        }
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        locks.insert(key.clone(), Arc::downgrade(&lock));
        lock
    }
}

impl<S: AccountService> Audited<S> {
    /// Wraps `inner`, logging its actions in `store`.
    pub fn new(store: Store, inner: S) -> Audited<S> {
        Audited {
            store,
            inner,
            in_flight: KeyLocks::default(),
        }
    }
}

#[async_trait]
impl<S: AccountService> AccountService for Audited<S> {
    async fn find_by_phone(&self, phone: &Phone) -> Result<Option<AccountRef>, AccountError> {
        self.inner.find_by_phone(phone).await
    }

    async fn status(&self, account: &AccountRef) -> Result<AccountStatus, AccountError> {
        self.inner.status(account).await
    }

    async fn execute(
        &self,
        action: Closure,
        account: &AccountRef,
        key: &IdempotencyKey,
        chat: i64,
    ) -> Result<ActionOutcome, AccountError> {
        let lock = self.in_flight.for_key(key);
        let _turn = lock.lock().await;
        if let Some(earlier) = self.store.find_audit(key).await? {
            return settled(&earlier, account, action);
        }
        let attempt = new_row(chat, account, action, key, (AuditResult::Pending, None));
        self.store.append_audit(&attempt).await?;

        let outcome = self.inner.execute(action, account, key, chat).await;
        tracing::info!(
            action = action.as_str(),
            key = key.as_str(),
            ok = outcome.is_ok(),
            "closure action answered by the account service"
        );
        let row = audit_row(chat, account, action, key, &outcome);
        match self.store.append_audit(&row).await? {
            Appended::Written(_) => outcome,
            // Another replica settled the key while we were asking.
            Appended::Settled(earlier) => settled(&earlier, account, action),
        }
    }
}
