//! A crash between "the account system acted" and "the customer was told":
//! after the restart the same key is used again, nothing acts twice, and the
//! customer gets exactly one success message.

use std::sync::Arc;

use jiebei_bot::accounts::{
    AccountRef, AccountService, AccountState, ActionOutcome, Closure, IdempotencyKey, Ledger,
    Money, Phone,
};
use jiebei_bot::closure::{self, Flow, Nonce};
use jiebei_bot::content::Content;
use jiebei_bot::engine::{ChatState, ChatStore, Engine, EngineSettings, Incoming};
use jiebei_bot::lang::Lang;
use jiebei_bot::store::Store;

const CHAT: i64 = 77;

async fn engine_on(store: &Store) -> Engine {
    let content = Content::builtin().unwrap();
    let settings = EngineSettings::for_content(&content);
    let accounts: Arc<dyn AccountService> = Arc::new(Ledger::new(store.clone()));
    Engine::new(content, Arc::new(store.clone()), accounts, settings)
}

/// The chat as the engine saves it right before asking the account system
/// to act: at "executing", with the flow's key.
fn executing(phone: &Phone, action: Closure, nonce: Nonce) -> ChatState {
    ChatState {
        closure: closure::State {
            verified: Some(phone.clone()),
            flow: Flow::Executing {
                action,
                nonce,
                phone: phone.clone(),
                key: closure::IdempotencyKey::new(nonce, action),
            },
        },
        ..ChatState::default()
    }
}

#[tokio::test]
async fn a_restart_after_acting_but_before_replying_ends_with_one_action_and_one_success_message() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let phone = Phone::parse("+8613800000001").unwrap();
    let nonce = Nonce(0xBEEF);

    // Before the crash: the chat was saved at "executing" and the ledger acted.
    {
        let store = Store::connect(&url).await.unwrap();
        let ledger = Ledger::new(store.clone());
        ledger
            .add(&phone, Money::ZERO, AccountState::Active, false)
            .await
            .unwrap();
        let state = executing(&phone, Closure::TurnOff, nonce);
        store.save(CHAT, &state.to_json()).await.unwrap();
        let key = IdempotencyKey::parse(&format!("{CHAT}:{}-turn_off", nonce)).unwrap();
        let outcome = ledger
            .execute(
                Closure::TurnOff,
                &AccountRef {
                    phone: phone.clone(),
                },
                &key,
                CHAT,
            )
            .await
            .unwrap();
        assert_eq!(outcome, ActionOutcome::Done);
        store.close().await;
    }

    // After the restart: the customer's next message finishes the flow.
    let store = Store::connect(&url).await.unwrap();
    let engine = engine_on(&store).await;
    let content = Content::builtin().unwrap();
    let done = content.text_with("done_turn_off", Lang::En, &[("last4", "0001")]);
    let replies = engine.handle(Incoming::text(CHAT, "hello?")).await;
    let successes = replies.iter().filter(|r| r.text.contains(&done)).count();
    assert_eq!(successes, 1, "replies: {replies:#?}");

    let replies = engine.handle(Incoming::text(CHAT, "hello again")).await;
    assert!(
        !replies.iter().any(|r| r.text.contains(&done)),
        "success said twice"
    );

    let acted = store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| serde_json::to_value(e).unwrap()["result"] == "done")
        .count();
    assert_eq!(acted, 1, "the action was carried out more than once");
    let view = Ledger::new(store.clone()).show(&phone).await.unwrap();
    assert_eq!(
        serde_json::to_value(&view).unwrap()["state"],
        "borrowing_off"
    );
}

#[tokio::test]
async fn a_restart_before_acting_acts_once_under_the_saved_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let phone = Phone::parse("+8613800000001").unwrap();
    let store = Store::connect(&url).await.unwrap();
    Ledger::new(store.clone())
        .add(&phone, Money::ZERO, AccountState::Active, false)
        .await
        .unwrap();
    store
        .save(
            CHAT,
            &executing(&phone, Closure::Cancel, Nonce(9)).to_json(),
        )
        .await
        .unwrap();

    let engine = engine_on(&store).await;
    let content = Content::builtin().unwrap();
    let done = content.text_with("done_cancel", Lang::En, &[("last4", "0001")]);
    let replies = engine.handle(Incoming::text(CHAT, "is it done?")).await;
    assert!(
        replies.iter().any(|r| r.text.contains(&done)),
        "replies: {replies:#?}"
    );
    let entries = store.audit_entries().await.unwrap();
    let key = serde_json::to_value(&entries[0]).unwrap()["idempotency_key"].clone();
    assert_eq!(key, format!("{CHAT}:9-cancel"));
}

#[tokio::test]
async fn a_loan_taken_while_the_bot_was_down_blocks_the_resumed_action() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let phone = Phone::parse("+8613800000001").unwrap();
    let store = Store::connect(&url).await.unwrap();
    let ledger = Ledger::new(store.clone());
    ledger
        .add(&phone, Money::ZERO, AccountState::Active, false)
        .await
        .unwrap();
    store
        .save(
            CHAT,
            &executing(&phone, Closure::TurnOff, Nonce(5)).to_json(),
        )
        .await
        .unwrap();
    ledger
        .set(&phone, Some(Money::parse("50").unwrap()), None, None)
        .await
        .unwrap();

    let engine = engine_on(&store).await;
    let content = Content::builtin().unwrap();
    let blocked = content.text_with("blocked_outstanding", Lang::En, &[("amount", "50.00")]);
    let replies = engine.handle(Incoming::text(CHAT, "hi")).await;
    assert!(
        replies.iter().any(|r| r.text.contains(&blocked)),
        "replies: {replies:#?}"
    );
    let view = ledger.show(&phone).await.unwrap();
    assert_eq!(serde_json::to_value(&view).unwrap()["state"], "active");
}
