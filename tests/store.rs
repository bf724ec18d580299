//! The database and the built-in ledger, as the bot and the operator see
//! them: chat state that survives restarts, an audit log that only grows,
//! closure actions that happen once per key and never with a loan
//! outstanding, and the `accounts` / `audit` commands' output.

use clap::Parser;
use jiebei_bot::accounts::{
    run_accounts, run_audit, AccountError, AccountRef, AccountService, AccountState, AccountsCmd,
    ActionOutcome, IdempotencyKey, Ledger, Money, Phone,
};
use jiebei_bot::store::{AuditKind, AuditResult, Store};

fn phone(s: &str) -> Phone {
    Phone::parse(s).unwrap()
}

fn key(s: &str) -> IdempotencyKey {
    IdempotencyKey::parse(s).unwrap()
}

async fn memory() -> Store {
    Store::connect("sqlite::memory:").await.unwrap()
}

fn file_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("data/jiebei.db").display())
}

/// A ledger holding one account with the given state and amount owed.
async fn ledger_with(
    store: &Store,
    number: &str,
    state: AccountState,
    owed: &str,
) -> (Ledger, AccountRef) {
    let ledger = Ledger::new(store.clone());
    ledger
        .add(&phone(number), Money::parse(owed).unwrap(), state, false)
        .await
        .unwrap();
    (ledger, AccountRef::new(phone(number)))
}

/// Runs an `accounts …` command line and returns what it printed.
async fn accounts(store: &Store, args: &[&str]) -> Result<String, String> {
    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: AccountsCmd,
    }
    let cli = Cli::try_parse_from(std::iter::once("accounts").chain(args.iter().copied()))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    run_accounts(store, cli.cmd, &mut out)
        .await
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

async fn audit_output(store: &Store, json: bool) -> String {
    let mut out = Vec::new();
    run_audit(store, json, &mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}

async fn outcomes(store: &Store, k: &IdempotencyKey) -> Vec<AuditResult> {
    store
        .audit_for_key(k)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind() == AuditKind::Outcome)
        .map(|e| e.result)
        .collect()
}

mod chat_state {
    use super::*;

    #[tokio::test]
    async fn chat_state_round_trips_and_survives_reopening_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&file_url(&dir)).await.unwrap();
        assert_eq!(store.load_chat(7).await.unwrap(), None);
        store.save_chat(7, r#"{"step":"confirm"}"#).await.unwrap();
        store.save_chat(7, r#"{"step":"done"}"#).await.unwrap();
        store.save_chat(8, "{}").await.unwrap();
        store.close().await;

        let reopened = Store::connect(&file_url(&dir)).await.unwrap();
        assert_eq!(
            reopened.load_chat(7).await.unwrap().as_deref(),
            Some(r#"{"step":"done"}"#)
        );
        assert_eq!(reopened.load_chat(8).await.unwrap().as_deref(), Some("{}"));
    }

    #[tokio::test]
    async fn the_database_folder_is_created_on_first_use() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("a/b/jiebei.db").display());
        Store::connect(&url).await.unwrap();
        assert!(dir.path().join("a/b/jiebei.db").is_file());
    }

    #[tokio::test]
    async fn a_database_that_cannot_be_opened_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), "").unwrap();
        let url = format!("sqlite://{}", dir.path().join("file/jiebei.db").display());
        let err = Store::connect(&url).await.unwrap_err().to_string();
        assert!(
            err.contains(&dir.path().join("file").display().to_string()),
            "{err}"
        );
    }

    #[tokio::test]
    async fn an_update_marked_handled_stays_handled_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&file_url(&dir)).await.unwrap();
        assert!(!store.update_handled(1001).await.unwrap());
        store.mark_update_handled(1001).await.unwrap();
        store.mark_update_handled(1001).await.unwrap();
        assert!(store.update_handled(1001).await.unwrap());
        assert!(!store.update_handled(1002).await.unwrap());
        store.close().await;
        let reopened = Store::connect(&file_url(&dir)).await.unwrap();
        assert!(reopened.update_handled(1001).await.unwrap());
    }
}

mod audit_log {
    use super::*;

    #[tokio::test]
    async fn the_database_refuses_to_change_or_remove_audit_rows() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&file_url(&dir)).await.unwrap();
        let (ledger, account) =
            ledger_with(&store, "+8613800000001", AccountState::Active, "0").await;
        ledger
            .turn_off_borrowing(&account, &key("k1"), 1)
            .await
            .unwrap();
        store.close().await;

        // The crate has no API to modify the log; even raw SQL is refused.
        use sqlx::Connection;
        let mut raw = sqlx::SqliteConnection::connect(&file_url(&dir))
            .await
            .unwrap();
        for sql in [
            "UPDATE audit_log SET result = 'failed'",
            "DELETE FROM audit_log",
        ] {
            let err = sqlx::query(sql).execute(&mut raw).await.unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        raw.close().await.unwrap();

        let reopened = Store::connect(&file_url(&dir)).await.unwrap();
        let entries = reopened.audit_entries().await.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].result, AuditResult::Done);
    }

    #[tokio::test]
    async fn every_executed_action_is_logged_with_chat_phone_action_key_and_result() {
        let store = memory().await;
        let (ledger, account) =
            ledger_with(&store, "+8613800000001", AccountState::Active, "0").await;
        ledger
            .turn_off_borrowing(&account, &key("off-1"), 42)
            .await
            .unwrap();
        ledger.cancel(&account, &key("cancel-1"), 42).await.unwrap();

        let entries = store.audit_entries().await.unwrap();
        let seen: Vec<_> = entries
            .iter()
            .map(|e| {
                (
                    e.chat,
                    e.phone.as_str(),
                    e.action.as_str(),
                    e.idempotency_key.as_str(),
                    e.result,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (42, "+8613800000001", "turn_off", "off-1", AuditResult::Done),
                (
                    42,
                    "+8613800000001",
                    "cancel",
                    "cancel-1",
                    AuditResult::Done
                ),
            ]
        );
        for e in &entries {
            time::OffsetDateTime::parse(&e.time, &time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|err| panic!("time {} is not RFC 3339: {err}", e.time));
        }
        assert_eq!(
            store
                .find_audit(&key("off-1"))
                .await
                .unwrap()
                .unwrap()
                .result,
            AuditResult::Done
        );
        assert_eq!(store.find_audit(&key("never-used")).await.unwrap(), None);
    }
}

mod exactly_once {
    use super::*;

    async fn one_key_twice_at_once(store: Store) {
        let (ledger, account) =
            ledger_with(&store, "+8613800000001", AccountState::Active, "0").await;
        let k = key("double-tap");
        let (a, b) = tokio::join!(
            ledger.turn_off_borrowing(&account, &k, 1),
            ledger.turn_off_borrowing(&account, &k, 1)
        );
        let mut got = [a.unwrap(), b.unwrap()];
        got.sort_by_key(|o| *o == ActionOutcome::AlreadyDone);
        assert_eq!(got, [ActionOutcome::Done, ActionOutcome::AlreadyDone]);
        assert_eq!(outcomes(&store, &k).await, [AuditResult::Done]);
        assert_eq!(
            ledger.status(&account).await.unwrap().state,
            AccountState::BorrowingOff
        );
    }

    #[tokio::test]
    async fn the_same_key_acts_once_when_called_twice_concurrently_in_memory() {
        one_key_twice_at_once(memory().await).await;
    }

    #[tokio::test]
    async fn the_same_key_acts_once_when_called_twice_concurrently_on_a_file() {
        let dir = tempfile::tempdir().unwrap();
        one_key_twice_at_once(Store::connect(&file_url(&dir)).await.unwrap()).await;
    }

    #[tokio::test]
    async fn many_concurrent_calls_with_one_key_on_separate_connections_act_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&file_url(&dir)).await.unwrap();
        let (_, account) = ledger_with(&store, "+8613800000001", AccountState::Active, "0").await;
        let k = key("hammered");
        let calls = (0..8).map(|_| {
            let ledger = Ledger::new(store.clone());
            let (account, k) = (account.clone(), k.clone());
            tokio::spawn(async move { ledger.cancel(&account, &k, 1).await.unwrap() })
        });
        let mut done = 0;
        for call in calls {
            if call.await.unwrap() == ActionOutcome::Done {
                done += 1;
            }
        }
        assert_eq!(done, 1);
        assert_eq!(outcomes(&store, &k).await, [AuditResult::Done]);
    }

    #[tokio::test]
    async fn a_key_that_acted_never_acts_again_even_after_a_restart_and_an_account_change() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&file_url(&dir)).await.unwrap();
        let (ledger, account) =
            ledger_with(&store, "+8613800000001", AccountState::Active, "0").await;
        let k = key("confirm-1");
        assert_eq!(
            ledger.turn_off_borrowing(&account, &k, 1).await.unwrap(),
            ActionOutcome::Done
        );
        // The operator turns borrowing back on, then the bot restarts and
        // the same confirmation is replayed: it must not act again.
        ledger
            .set(&account.phone, None, Some(AccountState::Active), None)
            .await
            .unwrap();
        store.close().await;

        let reopened = Store::connect(&file_url(&dir)).await.unwrap();
        let ledger = Ledger::new(reopened.clone());
        assert_eq!(
            ledger.turn_off_borrowing(&account, &k, 1).await.unwrap(),
            ActionOutcome::AlreadyDone
        );
        assert_eq!(
            ledger.status(&account).await.unwrap().state,
            AccountState::Active
        );
        assert_eq!(outcomes(&reopened, &k).await, [AuditResult::Done]);
    }

    #[tokio::test]
    async fn a_key_reused_for_another_action_is_refused_and_does_nothing() {
        let store = memory().await;
        let (ledger, account) =
            ledger_with(&store, "+8613800000001", AccountState::Active, "0").await;
        let k = key("once");
        ledger.turn_off_borrowing(&account, &k, 1).await.unwrap();
        let err = ledger.cancel(&account, &k, 1).await.unwrap_err();
        assert!(matches!(err, AccountError::KeyReused(_)), "{err}");
        assert_eq!(
            ledger.status(&account).await.unwrap().state,
            AccountState::BorrowingOff
        );
    }

    #[tokio::test]
    async fn an_account_already_in_the_requested_state_is_already_done_and_unchanged() {
        let store = memory().await;
        let (ledger, account) =
            ledger_with(&store, "+8613800000003", AccountState::BorrowingOff, "0").await;
        assert_eq!(
            ledger
                .turn_off_borrowing(&account, &key("k"), 1)
                .await
                .unwrap(),
            ActionOutcome::AlreadyDone
        );
        assert_eq!(
            outcomes(&store, &key("k")).await,
            [AuditResult::AlreadyDone]
        );
        assert_eq!(
            ledger.cancel(&account, &key("k2"), 1).await.unwrap(),
            ActionOutcome::Done
        );
        assert_eq!(
            ledger.status(&account).await.unwrap().state,
            AccountState::Cancelled
        );
    }
}

mod refusals {
    use super::*;

    #[tokio::test]
    async fn the_ledger_refuses_turn_off_and_cancel_with_an_outstanding_balance_and_changes_nothing(
    ) {
        let store = memory().await;
        let (ledger, account) =
            ledger_with(&store, "+8613800000002", AccountState::Active, "1200.50").await;
        let before = ledger.status(&account).await.unwrap();

        let off = ledger
            .turn_off_borrowing(&account, &key("off"), 1)
            .await
            .unwrap_err();
        let cancel = ledger
            .cancel(&account, &key("cancel"), 1)
            .await
            .unwrap_err();
        for err in [&off, &cancel] {
            assert!(
                matches!(err, AccountError::OutstandingBalance(m) if m.to_string() == "1200.50"),
                "{err}"
            );
            assert!(err.is_refusal());
        }
        assert_eq!(ledger.status(&account).await.unwrap(), before);
        let results: Vec<_> = store
            .audit_entries()
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.result)
            .collect();
        assert_eq!(
            results,
            [
                AuditResult::OutstandingBalance,
                AuditResult::OutstandingBalance
            ]
        );
        assert_eq!(store.find_audit(&key("off")).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_refused_key_can_act_once_the_loan_is_repaid() {
        let store = memory().await;
        let (ledger, account) =
            ledger_with(&store, "+8613800000002", AccountState::Active, "5").await;
        let k = key("retry");
        assert!(ledger.turn_off_borrowing(&account, &k, 1).await.is_err());
        ledger
            .set(&account.phone, Some(Money::ZERO), None, None)
            .await
            .unwrap();
        assert_eq!(
            ledger.turn_off_borrowing(&account, &k, 1).await.unwrap(),
            ActionOutcome::Done
        );
    }

    #[tokio::test]
    async fn borrowing_cannot_be_turned_off_on_a_cancelled_account() {
        let store = memory().await;
        let (ledger, account) =
            ledger_with(&store, "+8613800000005", AccountState::Cancelled, "0").await;
        let err = ledger
            .turn_off_borrowing(&account, &key("k"), 1)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AccountError::InvalidState(AccountState::Cancelled)),
            "{err}"
        );
        assert_eq!(
            ledger.status(&account).await.unwrap().state,
            AccountState::Cancelled
        );
    }

    #[tokio::test]
    async fn an_unknown_phone_is_not_found() {
        let store = memory().await;
        let ledger = Ledger::new(store.clone());
        assert_eq!(
            ledger
                .find_by_phone(&phone("+8613800000009"))
                .await
                .unwrap(),
            None
        );
        let ghost = AccountRef::new(phone("+8613800000009"));
        assert!(matches!(
            ledger.status(&ghost).await,
            Err(AccountError::NotFound)
        ));
        assert!(matches!(
            ledger.cancel(&ghost, &key("k"), 1).await,
            Err(AccountError::NotFound)
        ));
    }
}

mod cli {
    use super::*;

    #[tokio::test]
    async fn seeding_the_demo_accounts_twice_is_fine_and_resets_them() {
        let store = memory().await;
        let first = accounts(&store, &["seed-demo"]).await.unwrap();
        for n in 1..=4 {
            assert!(first.contains(&format!("+861380000000{n}")), "{first}");
        }
        accounts(
            &store,
            &["set", "--phone", "+8613800000002", "--outstanding", "0"],
        )
        .await
        .unwrap();
        assert_eq!(accounts(&store, &["seed-demo"]).await.unwrap(), first);

        let list: serde_json::Value =
            serde_json::from_str(&accounts(&store, &["list", "--json"]).await.unwrap()).unwrap();
        assert_eq!(
            list,
            serde_json::json!([
                {"phone": "+8613800000001", "state": "active", "outstanding": "0.00", "overdue": false},
                {"phone": "+8613800000002", "state": "active", "outstanding": "1200.50", "overdue": false},
                {"phone": "+8613800000003", "state": "borrowing_off", "outstanding": "0.00", "overdue": false},
                {"phone": "+8613800000004", "state": "active", "outstanding": "860.00", "overdue": true},
            ])
        );
    }

    #[tokio::test]
    async fn accounts_show_json_prints_one_object_with_phone_state_outstanding_and_overdue() {
        let store = memory().await;
        accounts(
            &store,
            &[
                "add",
                "--phone",
                "+86 138 0000 0001",
                "--outstanding",
                "1200.5",
                "--overdue",
            ],
        )
        .await
        .unwrap();
        let shown = accounts(&store, &["show", "--phone", "13800000001", "--json"])
            .await
            .unwrap();
        assert_eq!(shown.lines().count(), 1);
        let value: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"phone": "+8613800000001", "state": "active", "outstanding": "1200.50", "overdue": true})
        );
    }

    #[tokio::test]
    async fn accounts_set_changes_only_the_given_fields() {
        let store = memory().await;
        accounts(
            &store,
            &[
                "add",
                "--phone",
                "+8613800000001",
                "--outstanding",
                "10",
                "--overdue",
            ],
        )
        .await
        .unwrap();
        let out = accounts(
            &store,
            &[
                "set",
                "--phone",
                "+8613800000001",
                "--state",
                "borrowing_off",
                "--overdue",
                "false",
            ],
        )
        .await
        .unwrap();
        assert_eq!(
            out,
            "updated +8613800000001: borrowing_off, outstanding 10.00\n"
        );
    }

    #[tokio::test]
    async fn accounts_show_prints_readable_lines() {
        let store = memory().await;
        accounts(&store, &["seed-demo"]).await.unwrap();
        let out = accounts(&store, &["show", "--phone", "+8613800000004"])
            .await
            .unwrap();
        assert_eq!(
            out,
            "phone        +8613800000004\nstate        active\noutstanding  860.00\noverdue      yes\n"
        );
    }

    #[tokio::test]
    async fn accounts_list_prints_an_aligned_table() {
        let store = memory().await;
        accounts(&store, &["seed-demo"]).await.unwrap();
        let out = accounts(&store, &["list"]).await.unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "PHONE           STATE          OUTSTANDING  OVERDUE"
        );
        assert_eq!(lines[2], "+8613800000002  active             1200.50  no");
        assert_eq!(lines.len(), 5);
    }

    #[tokio::test]
    async fn operator_mistakes_get_clear_one_line_errors() {
        let store = memory().await;
        accounts(&store, &["add", "--phone", "+8613800000001"])
            .await
            .unwrap();
        let cases: [(&[&str], &str); 5] = [
            (
                &["show", "--phone", "+8613800000009"],
                "no account with phone +8613800000009",
            ),
            (&["add", "--phone", "+8613800000001"], "already exists"),
            (&["set", "--phone", "+8613800000001"], "nothing to change"),
            (
                &[
                    "add",
                    "--phone",
                    "+8613800000002",
                    "--outstanding",
                    "12.345",
                ],
                "`12.345` is not an amount",
            ),
            (
                &["add", "--phone", "+8613800000002", "--state", "closed"],
                "`closed` is not an account state",
            ),
        ];
        for (args, expected) in cases {
            let err = accounts(&store, args).await.unwrap_err();
            assert!(err.contains(expected), "{args:?}: {err}");
        }
        let err = accounts(
            &store,
            &["set", "--phone", "+8613800000009", "--overdue", "true"],
        )
        .await
        .unwrap_err();
        assert_eq!(
            err,
            "no account with phone +8613800000009 (see `accounts list`)"
        );
    }

    #[tokio::test]
    async fn audit_json_prints_one_object_per_line_with_the_documented_fields() {
        let store = memory().await;
        accounts(&store, &["seed-demo"]).await.unwrap();
        let ledger = Ledger::new(store.clone());
        let clean = AccountRef::new(phone("+8613800000001"));
        let owing = AccountRef::new(phone("+8613800000002"));
        ledger
            .turn_off_borrowing(&clean, &key("a1"), 11)
            .await
            .unwrap();
        ledger.cancel(&owing, &key("b1"), 12).await.unwrap_err();

        let out = audit_output(&store, true).await;
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        for (line, (chat, phone, action, k, result)) in lines.iter().zip([
            (11, "+8613800000001", "turn_off", "a1", "done"),
            (12, "+8613800000002", "cancel", "b1", "outstanding_balance"),
        ]) {
            assert_eq!(line["chat"], chat);
            assert_eq!(line["phone"], phone);
            assert_eq!(line["action"], action);
            assert_eq!(line["idempotency_key"], k);
            assert_eq!(line["result"], result);
            assert!(line["time"].as_str().unwrap().ends_with('Z'), "{line}");
        }
        assert_eq!(lines[1]["detail"], "outstanding 1200.50");
    }

    #[tokio::test]
    async fn audit_prints_an_aligned_table_or_says_it_is_empty() {
        let store = memory().await;
        assert!(audit_output(&store, false)
            .await
            .contains("the audit log is empty"));
        assert_eq!(audit_output(&store, true).await, "");

        accounts(&store, &["seed-demo"]).await.unwrap();
        let ledger = Ledger::new(store.clone());
        ledger
            .turn_off_borrowing(&AccountRef::new(phone("+8613800000001")), &key("a1"), 7)
            .await
            .unwrap();
        let out = audit_output(&store, false).await;
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        let result_column = lines[0].find("RESULT").unwrap();
        assert_eq!(&lines[1][result_column..result_column + 4], "done");
        assert!(lines[1].contains("+8613800000001  turn_off"), "{out}");
    }
}
