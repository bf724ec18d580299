//! The built-in ledger: accounts kept in the bot's own database, managed
//! from the command line, and acted on with the rules of the seed article.

use async_trait::async_trait;
use serde::Serialize;

use super::audit::{audit_row, settled};
use super::service::{AccountError, AccountService, ActionOutcome};
use super::types::{
    AccountRef, AccountState, AccountStatus, Closure, IdempotencyKey, Money, Phone,
};
use crate::store::{Applied, LedgerAccount, Store, StoreError, Verdict};

/// The built-in account system, in the bot's database. Each action checks
/// the balance and state, changes the account and appends its audit row in
/// one transaction.
#[derive(Debug, Clone)]
pub struct Ledger {
    store: Store,
}

/// An account as `accounts show --json` and `accounts list --json` print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    /// E.164 phone number.
    pub phone: Phone,
    /// `active`, `borrowing_off` or `cancelled`.
    pub state: AccountState,
    /// Amount owed as a decimal string, e.g. `"1200.50"`.
    pub outstanding: Money,
    /// True when a repayment is past due.
    pub overdue: bool,
}

impl From<LedgerAccount> for AccountView {
    fn from(a: LedgerAccount) -> AccountView {
        AccountView {
            phone: a.phone,
            state: a.status.state,
            outstanding: a.status.outstanding,
            overdue: a.status.overdue,
        }
    }
}

/// Why a ledger management command failed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// `add` for a phone that already has an account.
    #[error("an account with phone {0} already exists (change it with `accounts set`)")]
    AlreadyExists(Phone),
    /// No account has this phone.
    #[error("no account with phone {0} (see `accounts list`)")]
    UnknownPhone(Phone),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The demo accounts `seed-demo` writes: phone, status, what each shows.
fn demo_accounts() -> Vec<(&'static str, AccountStatus, &'static str)> {
    let status = |state, cents, overdue| AccountStatus {
        state,
        outstanding: Money::from_cents(cents),
        overdue,
    };
    vec![
        (
            "+8613800000001",
            status(AccountState::Active, 0, false),
            "active, nothing owed: turning off and cancelling both go through",
        ),
        (
            "+8613800000002",
            status(AccountState::Active, 120_050, false),
            "active, 1200.50 outstanding: both actions are blocked until repaid",
        ),
        (
            "+8613800000003",
            status(AccountState::BorrowingOff, 0, false),
            "borrowing already turned off: cancelling is still possible",
        ),
        (
            "+8613800000004",
            status(AccountState::Active, 86_000, true),
            "active, overdue, 860.00 outstanding: both actions are blocked",
        ),
    ]
}

/// The ledger's rule for `action` on an account in `status`: the state to
/// move to, `None` when it is already there, or why it is refused.
fn rule(
    action: Closure,
    status: Option<&AccountStatus>,
) -> Result<Option<AccountState>, AccountError> {
    let status = status.ok_or(AccountError::NotFound)?;
    let target = match action {
        Closure::TurnOff => AccountState::BorrowingOff,
        Closure::Cancel => AccountState::Cancelled,
    };
    if status.state == target {
        return Ok(None);
    }
    if action == Closure::TurnOff && status.state == AccountState::Cancelled {
        return Err(AccountError::InvalidState(status.state));
    }
    if !status.outstanding.is_zero() {
        return Err(AccountError::OutstandingBalance(status.outstanding));
    }
    Ok(Some(target))
}

impl Ledger {
    /// The ledger kept in `store`.
    pub fn new(store: Store) -> Ledger {
        Ledger { store }
    }

    /// Adds an account; fails if the phone already has one.
    pub async fn add(
        &self,
        phone: &Phone,
        outstanding: Money,
        state: AccountState,
        overdue: bool,
    ) -> Result<AccountView, LedgerError> {
        let status = AccountStatus {
            state,
            outstanding,
            overdue,
        };
        if !self.store.insert_account(phone, &status).await? {
            return Err(LedgerError::AlreadyExists(phone.clone()));
        }
        self.show(phone).await
    }

    /// Changes the given fields of an existing account.
    pub async fn set(
        &self,
        phone: &Phone,
        outstanding: Option<Money>,
        state: Option<AccountState>,
        overdue: Option<bool>,
    ) -> Result<AccountView, LedgerError> {
        self.store
            .update_account(phone, outstanding, state, overdue)
            .await?
            .map(AccountView::from)
            .ok_or_else(|| LedgerError::UnknownPhone(phone.clone()))
    }

    /// One account.
    pub async fn show(&self, phone: &Phone) -> Result<AccountView, LedgerError> {
        self.store
            .account(phone)
            .await?
            .map(AccountView::from)
            .ok_or_else(|| LedgerError::UnknownPhone(phone.clone()))
    }

    /// Every account, by phone.
    pub async fn list(&self) -> Result<Vec<AccountView>, LedgerError> {
        Ok(self
            .store
            .accounts()
            .await?
            .into_iter()
            .map(AccountView::from)
            .collect())
    }

    /// Writes the four demo accounts (a clean one, one with a loan, one
    /// already turned off, one overdue), resetting them if they exist, and
    /// returns each phone with what it demonstrates.
    pub async fn seed_demo(&self) -> Result<Vec<(Phone, &'static str)>, LedgerError> {
        let mut seeded = Vec::new();
        for (phone, status, what) in demo_accounts() {
            let phone = Phone::parse(phone).expect("demo phone numbers are valid");
            self.store.put_account(&phone, &status).await?;
            seeded.push((phone, what));
        }
        Ok(seeded)
    }
}

#[async_trait]
impl AccountService for Ledger {
    async fn find_by_phone(&self, phone: &Phone) -> Result<Option<AccountRef>, AccountError> {
        Ok(self
            .store
            .account(phone)
            .await?
            .map(|a| AccountRef::new(a.phone)))
    }

    async fn status(&self, account: &AccountRef) -> Result<AccountStatus, AccountError> {
        self.store
            .account(&account.phone)
            .await?
            .map(|a| a.status)
            .ok_or(AccountError::NotFound)
    }

    async fn execute(
        &self,
        action: Closure,
        account: &AccountRef,
        key: &IdempotencyKey,
        chat: i64,
    ) -> Result<ActionOutcome, AccountError> {
        let applied = self
            .store
            .apply_closure(&account.phone, key, |status| {
                let (new_state, outcome) = match rule(action, status) {
                    Ok(Some(state)) => (Some(state), Ok(ActionOutcome::Done)),
                    Ok(None) => (None, Ok(ActionOutcome::AlreadyDone)),
                    Err(refused) => (None, Err(refused)),
                };
                let audit = audit_row(chat, account, action, key, &outcome);
                (Verdict { new_state, audit }, outcome)
            })
            .await?;
        match applied {
            Applied::Recorded(outcome) => outcome,
            Applied::Settled(earlier) => settled(&earlier, account, action),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: AccountState, cents: i64) -> AccountStatus {
        AccountStatus {
            state,
            outstanding: Money::from_cents(cents),
            overdue: false,
        }
    }

    #[test]
    fn nothing_closes_while_a_loan_is_outstanding() {
        for action in [Closure::TurnOff, Closure::Cancel] {
            for state in [AccountState::Active, AccountState::BorrowingOff] {
                if action == Closure::TurnOff && state == AccountState::BorrowingOff {
                    continue;
                }
                assert!(matches!(
                    rule(action, Some(&status(state, 1))),
                    Err(AccountError::OutstandingBalance(m)) if m == Money::from_cents(1)
                ));
            }
        }
    }

    #[test]
    fn a_clean_account_can_be_turned_off_and_cancelled() {
        let clean = status(AccountState::Active, 0);
        assert_eq!(
            rule(Closure::TurnOff, Some(&clean)).unwrap(),
            Some(AccountState::BorrowingOff)
        );
        assert_eq!(
            rule(Closure::Cancel, Some(&clean)).unwrap(),
            Some(AccountState::Cancelled)
        );
        let off = status(AccountState::BorrowingOff, 0);
        assert_eq!(
            rule(Closure::Cancel, Some(&off)).unwrap(),
            Some(AccountState::Cancelled)
        );
    }

    #[test]
    fn an_account_already_in_the_requested_state_needs_nothing() {
        assert_eq!(
            rule(
                Closure::TurnOff,
                Some(&status(AccountState::BorrowingOff, 0))
            )
            .unwrap(),
            None
        );
        assert_eq!(
            rule(Closure::Cancel, Some(&status(AccountState::Cancelled, 0))).unwrap(),
            None
        );
    }

    #[test]
    fn a_cancelled_account_cannot_have_borrowing_turned_off() {
        assert!(matches!(
            rule(Closure::TurnOff, Some(&status(AccountState::Cancelled, 0))),
            Err(AccountError::InvalidState(AccountState::Cancelled))
        ));
    }

    #[test]
    fn a_missing_account_is_not_found() {
        assert!(matches!(
            rule(Closure::Cancel, None),
            Err(AccountError::NotFound)
        ));
    }
}
