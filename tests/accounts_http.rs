//! `HttpAccountService` behind the audit log, against a fake account system
//! on a loopback port: what the bot concludes from each answer of the
//! contract, what it sends, and that nothing is recorded as done unless the
//! service said so.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiebei_bot::accounts::{
    AccountError, AccountRef, AccountService, AccountState, ActionOutcome, Audited,
    HttpAccountService, IdempotencyKey, Phone,
};
use jiebei_bot::store::{AuditResult, Store};
use serde_json::{json, Value};

/// One request the fake service received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    idempotency_key: Option<String>,
    body: Value,
}

/// A scripted answer: status, body, and how long to wait before answering.
type Answer = (u16, Value, Duration);

/// The fake account system. Queued answers are given first, in order;
/// with none queued it behaves as the contract asks: a key executes once,
/// a repeated key answers 409 already_done.
#[derive(Default)]
struct Fake {
    queued: Mutex<VecDeque<Answer>>,
    seen: Mutex<Vec<Seen>>,
    executed: Mutex<HashSet<String>>,
}

impl Fake {
    fn answer_next(&self, status: u16, body: Value) {
        self.answer_next_after(status, body, Duration::ZERO);
    }

    fn answer_next_after(&self, status: u16, body: Value, delay: Duration) {
        self.queued.lock().unwrap().push_back((status, body, delay));
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn lookup(
    State(fake): State<Arc<Fake>>,
    Path(phone): Path<String>,
) -> (StatusCode, Json<Value>) {
    fake.seen.lock().unwrap().push(Seen {
        path: format!("/accounts/{phone}"),
        idempotency_key: None,
        body: Value::Null,
    });
    match phone.as_str() {
        "+8613800000001" => (
            StatusCode::OK,
            Json(
                json!({"phone": phone, "state": "active", "outstanding": "1200.50", "overdue": true}),
            ),
        ),
        _ => (StatusCode::NOT_FOUND, Json(json!({"error": "not_found"}))),
    }
}

async fn act(
    State(fake): State<Arc<Fake>>,
    Path((phone, action)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap().to_string());
    fake.seen.lock().unwrap().push(Seen {
        path: format!("/accounts/{phone}/{action}"),
        idempotency_key: key.clone(),
        body,
    });
    let queued = fake.queued.lock().unwrap().pop_front();
    if let Some((status, body, delay)) = queued {
        tokio::time::sleep(delay).await;
        return (StatusCode::from_u16(status).unwrap(), Json(body));
    }
    match key {
        Some(key) if fake.executed.lock().unwrap().insert(key.clone()) => {
            (StatusCode::OK, Json(json!({"result": "done"})))
        }
        Some(_) => (
            StatusCode::CONFLICT,
            Json(json!({"result": "already_done"})),
        ),
        None => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "missing Idempotency-Key"})),
        ),
    }
}

/// A fake account system on 127.0.0.1, an in-memory store, and the audited
/// HTTP service the bot would use against them.
struct TestApp {
    fake: Arc<Fake>,
    store: Store,
    service: Audited<HttpAccountService>,
    account: AccountRef,
}

async fn spawn_app(timeout: Duration) -> TestApp {
    let fake = Arc::new(Fake::default());
    let router = Router::new()
        .route("/api/accounts/{phone}", get(lookup))
        .route("/api/accounts/{phone}/{action}", post(act))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let store = Store::connect("sqlite::memory:").await.unwrap();
    let http = HttpAccountService::new(&base, timeout).unwrap();
    TestApp {
        fake,
        service: Audited::new(store.clone(), http),
        store,
        account: AccountRef::new(Phone::parse("+8613800000001").unwrap()),
    }
}

impl TestApp {
    async fn results(&self, key: &IdempotencyKey) -> Vec<AuditResult> {
        let rows = self.store.audit_for_key(key).await.unwrap();
        rows.into_iter().map(|e| e.result).collect()
    }

    async fn recorded_as_done(&self, key: &IdempotencyKey) -> bool {
        self.store.find_audit(key).await.unwrap().is_some()
    }
}

fn key(s: &str) -> IdempotencyKey {
    IdempotencyKey::parse(s).unwrap()
}

#[tokio::test]
async fn an_account_is_looked_up_by_phone_with_state_amount_and_overdue_flag() {
    let app = spawn_app(Duration::from_secs(5)).await;
    let found = app.service.find_by_phone(&app.account.phone).await.unwrap();
    assert_eq!(found, Some(app.account.clone()));
    let status = app.service.status(&app.account).await.unwrap();
    assert_eq!(status.state, AccountState::Active);
    assert_eq!(status.outstanding.to_string(), "1200.50");
    assert!(status.overdue);

    let stranger = Phone::parse("+8613800000009").unwrap();
    assert_eq!(app.service.find_by_phone(&stranger).await.unwrap(), None);
    assert!(matches!(
        app.service.status(&AccountRef::new(stranger)).await,
        Err(AccountError::NotFound)
    ));
}

#[tokio::test]
async fn a_successful_turn_off_is_done_and_logged_with_its_key() {
    let app = spawn_app(Duration::from_secs(5)).await;
    let k = key("flow-1-confirm");
    let outcome = app
        .service
        .turn_off_borrowing(&app.account, &k, 42)
        .await
        .unwrap();
    assert_eq!(outcome, ActionOutcome::Done);

    let seen = app.fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/accounts/+8613800000001/turn-off");
    assert_eq!(seen[0].idempotency_key.as_deref(), Some("flow-1-confirm"));
    assert_eq!(seen[0].body, json!({"chat": 42}));

    assert_eq!(
        app.results(&k).await,
        [AuditResult::Pending, AuditResult::Done]
    );
    let entry = app.store.find_audit(&k).await.unwrap().unwrap();
    assert_eq!((entry.chat, entry.action.as_str()), (42, "turn_off"));
}

#[tokio::test]
async fn a_cancel_goes_to_the_cancel_endpoint() {
    let app = spawn_app(Duration::from_secs(5)).await;
    let k = key("c1");
    assert_eq!(
        app.service.cancel(&app.account, &k, 1).await.unwrap(),
        ActionOutcome::Done
    );
    assert_eq!(app.fake.seen()[0].path, "/accounts/+8613800000001/cancel");
    assert_eq!(
        app.store
            .find_audit(&k)
            .await
            .unwrap()
            .unwrap()
            .action
            .as_str(),
        "cancel"
    );
}

#[tokio::test]
async fn a_409_already_done_answer_is_already_done() {
    let app = spawn_app(Duration::from_secs(5)).await;
    app.fake.answer_next(409, json!({"result": "already_done"}));
    let k = key("k");
    assert_eq!(
        app.service
            .turn_off_borrowing(&app.account, &k, 1)
            .await
            .unwrap(),
        ActionOutcome::AlreadyDone
    );
    assert_eq!(
        app.results(&k).await,
        [AuditResult::Pending, AuditResult::AlreadyDone]
    );
}

#[tokio::test]
async fn a_settled_key_is_answered_from_the_audit_log_without_asking_the_service_again() {
    let app = spawn_app(Duration::from_secs(5)).await;
    let k = key("k");
    app.service.cancel(&app.account, &k, 1).await.unwrap();
    assert_eq!(
        app.service.cancel(&app.account, &k, 1).await.unwrap(),
        ActionOutcome::AlreadyDone
    );
    assert_eq!(app.fake.seen().len(), 1);
    assert_eq!(
        app.results(&k).await,
        [AuditResult::Pending, AuditResult::Done]
    );
}

#[tokio::test]
async fn two_concurrent_calls_with_one_key_ask_the_service_once_and_end_with_one_done() {
    let app = spawn_app(Duration::from_secs(5)).await;
    let k = key("double-tap");
    let (a, b) = tokio::join!(
        app.service.turn_off_borrowing(&app.account, &k, 1),
        app.service.turn_off_borrowing(&app.account, &k, 1)
    );
    let mut got = [a.unwrap(), b.unwrap()];
    got.sort_by_key(|o| *o == ActionOutcome::AlreadyDone);
    assert_eq!(got, [ActionOutcome::Done, ActionOutcome::AlreadyDone]);
    assert_eq!(app.fake.seen().len(), 1);
    assert_eq!(
        app.results(&k).await,
        [AuditResult::Pending, AuditResult::Done]
    );
}

#[tokio::test]
async fn an_outstanding_balance_refusal_carries_the_amount_and_is_not_done() {
    let app = spawn_app(Duration::from_secs(5)).await;
    app.fake.answer_next(
        409,
        json!({"error": "outstanding_balance", "outstanding": "1200.50"}),
    );
    let k = key("k");
    let err = app.service.cancel(&app.account, &k, 1).await.unwrap_err();
    assert!(
        matches!(&err, AccountError::OutstandingBalance(m) if m.to_string() == "1200.50"),
        "{err}"
    );
    assert!(!app.recorded_as_done(&k).await);
    assert_eq!(
        app.results(&k).await,
        [AuditResult::Pending, AuditResult::OutstandingBalance]
    );
}

#[tokio::test]
async fn a_422_answer_is_an_invalid_state_refusal() {
    let app = spawn_app(Duration::from_secs(5)).await;
    app.fake
        .answer_next(422, json!({"error": "invalid_state", "state": "cancelled"}));
    let err = app
        .service
        .turn_off_borrowing(&app.account, &key("k"), 1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AccountError::InvalidState(AccountState::Cancelled)),
        "{err}"
    );
}

#[tokio::test]
async fn a_server_error_is_unavailable_and_nothing_is_recorded_as_done() {
    let app = spawn_app(Duration::from_secs(5)).await;
    app.fake.answer_next(503, json!({"error": "maintenance"}));
    let k = key("k");
    let err = app
        .service
        .turn_off_borrowing(&app.account, &k, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AccountError::Unavailable(why) if why.contains("503")),
        "{err}"
    );
    assert!(!err.is_refusal());
    assert!(!app.recorded_as_done(&k).await);
    assert_eq!(
        app.results(&k).await,
        [AuditResult::Pending, AuditResult::Unavailable]
    );
}

#[tokio::test]
async fn a_service_slower_than_the_timeout_is_a_timeout_and_nothing_is_recorded_as_done() {
    let app = spawn_app(Duration::from_millis(200)).await;
    app.fake
        .answer_next_after(200, json!({"result": "done"}), Duration::from_secs(3));
    let k = key("k");
    let err = app.service.cancel(&app.account, &k, 1).await.unwrap_err();
    assert!(matches!(err, AccountError::Timeout), "{err}");
    assert!(!app.recorded_as_done(&k).await);
    assert_eq!(
        app.results(&k).await,
        [AuditResult::Pending, AuditResult::Timeout]
    );
}

#[tokio::test]
async fn a_retry_after_a_failure_sends_the_same_idempotency_key_and_then_succeeds() {
    let app = spawn_app(Duration::from_secs(5)).await;
    app.fake.answer_next(502, json!({}));
    let k = key("retry-me");
    assert!(app
        .service
        .turn_off_borrowing(&app.account, &k, 1)
        .await
        .is_err());
    assert_eq!(
        app.service
            .turn_off_borrowing(&app.account, &k, 1)
            .await
            .unwrap(),
        ActionOutcome::Done
    );
    let keys: Vec<_> = app
        .fake
        .seen()
        .into_iter()
        .map(|s| s.idempotency_key)
        .collect();
    assert_eq!(
        keys,
        [Some("retry-me".to_string()), Some("retry-me".to_string())]
    );
    assert_eq!(
        app.results(&k).await,
        [
            AuditResult::Pending,
            AuditResult::Unavailable,
            AuditResult::Pending,
            AuditResult::Done
        ]
    );
}

#[tokio::test]
async fn an_answer_outside_the_contract_is_a_protocol_error_and_not_done() {
    let app = spawn_app(Duration::from_secs(5)).await;
    app.fake.answer_next(200, json!({"status": "ok"}));
    let k = key("k");
    let err = app.service.cancel(&app.account, &k, 1).await.unwrap_err();
    assert!(matches!(err, AccountError::Protocol(_)), "{err}");
    assert!(!app.recorded_as_done(&k).await);
}

#[tokio::test]
async fn an_unreachable_service_is_unavailable_and_the_message_hides_the_phone() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let service = Audited::new(
        store.clone(),
        HttpAccountService::new(&base, Duration::from_secs(5)).unwrap(),
    );
    let account = AccountRef::new(Phone::parse("+8613800000001").unwrap());
    let k = key("k");
    let err = service
        .turn_off_borrowing(&account, &k, 1)
        .await
        .unwrap_err();
    assert!(matches!(err, AccountError::Unavailable(_)), "{err}");
    assert!(!err.to_string().contains("13800000001"), "{err}");
    assert!(store.find_audit(&k).await.unwrap().is_none());
}
