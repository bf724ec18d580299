//! Customer accounts: domain values, the [`AccountService`] trait the engine
//! acts through, its two implementations (the built-in [`Ledger`] and
//! [`HttpAccountService`] for an operator's own system), the audit wrapper
//! [`Audited`] and the `accounts`/`audit` command-line commands.

mod audit;
mod cli;
mod http;
mod ledger;
mod service;
mod types;

pub use audit::Audited;
pub(crate) use cli::table;
pub use cli::{run_accounts, run_audit, AccountsCmd, CliError};
pub use http::{BadServiceUrl, HttpAccountService, ACCOUNTS_URL_ENV, DEFAULT_TIMEOUT};
pub use ledger::{AccountView, Ledger, LedgerError};
pub use service::{open, AccountError, AccountService, ActionOutcome};
pub use types::{
    AccountRef, AccountState, AccountStatus, BadIdempotencyKey, BadMoney, BadPhone, Closure,
    IdempotencyKey, Money, Phone,
};
