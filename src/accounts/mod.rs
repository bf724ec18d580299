//! Customer accounts: domain values and the services that act on accounts.

mod types;

pub use types::{AccountState, AccountStatus, BadMoney, BadPhone, Closure, Money, Phone};
