//! The `accounts` and `audit` commands: managing the built-in ledger and
//! reading the audit log from a terminal. `main.rs` parses the flags and
//! calls [`run_accounts`] or [`run_audit`] with standard output.

use std::io::{self, Write};

use clap::Subcommand;

use super::ledger::{AccountView, Ledger, LedgerError};
use super::types::{AccountState, Money, Phone};
use crate::store::{Store, StoreError};

/// Managing the built-in account ledger.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum AccountsCmd {
    /// Add an account to the ledger.
    Add {
        /// Phone number, e.g. +8613800000001.
        #[arg(long)]
        phone: Phone,
        /// Amount owed in yuan, e.g. 1200.50.
        #[arg(long, default_value = "0")]
        outstanding: Money,
        /// active, borrowing_off or cancelled.
        #[arg(long, default_value = "active")]
        state: AccountState,
        /// Mark a repayment as past due.
        #[arg(long)]
        overdue: bool,
    },
    /// Change an account's amount owed, state or overdue flag.
    Set {
        /// Phone number of the account.
        #[arg(long)]
        phone: Phone,
        /// New amount owed in yuan, e.g. 0 or 1200.50.
        #[arg(long)]
        outstanding: Option<Money>,
        /// New state: active, borrowing_off or cancelled.
        #[arg(long)]
        state: Option<AccountState>,
        /// true or false.
        #[arg(long)]
        overdue: Option<bool>,
    },
    /// Show one account.
    Show {
        /// Phone number of the account.
        #[arg(long)]
        phone: Phone,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List every account.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Write four demo accounts (clean, with a loan, already off, overdue), resetting them if present.
    SeedDemo,
}

/// Why an `accounts` or `audit` command failed; one line, fit for a terminal.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The ledger refused or failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `accounts set` with nothing to set.
    #[error("nothing to change: give --outstanding, --state or --overdue")]
    NothingToChange,
    /// Output could not be written.
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
}

/// Runs one `accounts` command on the ledger in `store`, printing to `out`.
pub async fn run_accounts(
    store: &Store,
    cmd: AccountsCmd,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let ledger = Ledger::new(store.clone());
    match cmd {
        AccountsCmd::Add {
            phone,
            outstanding,
            state,
            overdue,
        } => {
            let account = ledger.add(&phone, outstanding, state, overdue).await?;
            writeln!(out, "added {}", summary(&account))?;
        }
        AccountsCmd::Set {
            phone,
            outstanding,
            state,
            overdue,
        } => {
            if outstanding.is_none() && state.is_none() && overdue.is_none() {
                return Err(CliError::NothingToChange);
            }
            let account = ledger.set(&phone, outstanding, state, overdue).await?;
            writeln!(out, "updated {}", summary(&account))?;
        }
        AccountsCmd::Show { phone, json } => {
            let account = ledger.show(&phone).await?;
            if json {
                writeln!(out, "{}", to_json(&account))?;
            } else {
                writeln!(out, "phone        {}", account.phone)?;
                writeln!(out, "state        {}", account.state.as_str())?;
                writeln!(out, "outstanding  {}", account.outstanding)?;
                writeln!(out, "overdue      {}", yes_no(account.overdue))?;
            }
        }
        AccountsCmd::List { json } => {
            let accounts = ledger.list().await?;
            if json {
                writeln!(out, "{}", to_json(&accounts))?;
            } else if accounts.is_empty() {
                writeln!(
                    out,
                    "no accounts yet (add one with `accounts add`, or run `accounts seed-demo`)"
                )?;
            } else {
                let rows = accounts.iter().map(|a| {
                    vec![
                        a.phone.to_string(),
                        a.state.as_str().to_string(),
                        a.outstanding.to_string(),
                        yes_no(a.overdue).to_string(),
                    ]
                });
                table(
                    out,
                    &["PHONE", "STATE", "OUTSTANDING", "OVERDUE"],
                    rows,
                    &[2],
                )?;
            }
        }
        AccountsCmd::SeedDemo => {
            let seeded = ledger.seed_demo().await?;
            writeln!(out, "demo accounts ready:")?;
            for (phone, what) in seeded {
                writeln!(out, "  {phone}  {what}")?;
            }
            writeln!(
                out,
                "try one in `jiebei-bot chat` with /contact +8613800000001"
            )?;
        }
    }
    Ok(())
}

/// Prints the audit log in `store`, oldest first: an aligned table, or with
/// `json` one JSON object per line (`time`, `chat`, `phone`, `action`,
/// `idempotency_key`, `result`, `detail`, `id`).
pub async fn run_audit(store: &Store, json: bool, out: &mut impl Write) -> Result<(), CliError> {
    let entries = store.audit_entries().await?;
    if json {
        for entry in &entries {
            writeln!(out, "{}", to_json(entry))?;
        }
    } else if entries.is_empty() {
        writeln!(
            out,
            "the audit log is empty: no closure action has been executed yet"
        )?;
    } else {
        let rows = entries.iter().map(|e| {
            vec![
                e.time.clone(),
                e.chat.to_string(),
                e.phone.to_string(),
                e.action.as_str().to_string(),
                e.idempotency_key.to_string(),
                e.result.as_str().to_string(),
                e.detail.clone().unwrap_or_default(),
            ]
        });
        table(
            out,
            &["TIME", "CHAT", "PHONE", "ACTION", "KEY", "RESULT", "DETAIL"],
            rows,
            &[1],
        )?;
    }
    Ok(())
}

fn summary(a: &AccountView) -> String {
    format!(
        "{}: {}, outstanding {}{}",
        a.phone,
        a.state.as_str(),
        a.outstanding,
        if a.overdue { ", overdue" } else { "" }
    )
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("views of plain strings, numbers and booleans serialize")
}

/// Writes `rows` under `header` in columns two spaces apart; the columns
/// numbered in `right` are right-aligned (amounts, ids).
pub(crate) fn table(
    out: &mut impl Write,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
    right: &[usize],
) -> io::Result<()> {
    let rows: Vec<Vec<String>> = rows.collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(width - cell.chars().count());
            if right.contains(&i) {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
