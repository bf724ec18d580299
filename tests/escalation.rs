//! Asking for a human: tickets with their reason and transcript, unanswered
//! questions kept for the operator, and the relay while an agent talks.

use std::sync::Arc;

use jiebei_bot::accounts::{AccountService, AccountState, Ledger, Money, Phone};
use jiebei_bot::callback::CallbackData;
use jiebei_bot::content::{ActionId, Content};
use jiebei_bot::engine::{Engine, EngineSettings, Incoming, TicketEvent};
use jiebei_bot::handoff::{Handoff, Role, Status};
use jiebei_bot::lang::Lang;
use jiebei_bot::store::Store;

async fn setup(relay: bool) -> (Engine, Handoff, Store) {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let content = Content::builtin().unwrap();
    let settings = EngineSettings::for_content(&content);
    let accounts: Arc<dyn AccountService> = Arc::new(Ledger::new(store.clone()));
    let handoff = Handoff::new(store.clone());
    let engine = Engine::new(content, Arc::new(store.clone()), accounts, settings)
        .with_handoff(handoff.clone(), relay);
    (engine, handoff, store)
}

fn agent_button() -> String {
    CallbackData::Start(ActionId::Agent).encode()
}

#[tokio::test]
async fn without_a_support_chat_agent_keeps_a_ticket_and_gives_the_official_channel() {
    let (e, handoff, _) = setup(false).await;
    let c = Content::builtin().unwrap();
    e.handle(Incoming::text(
        1,
        "How do I close Jiebei? my phone is 13800000001",
    ))
    .await;
    let replies = e.handle(Incoming::text(1, "/agent")).await;
    let ticket = handoff
        .open_ticket_of(1)
        .await
        .unwrap()
        .expect("a ticket is open");
    assert!(replies[0].text.contains(&c.text_with(
        "ticket_waiting",
        Lang::En,
        &[("ticket", &ticket.id.to_string())]
    )));
    assert!(replies[0].text.contains(c.text("agent_contact", Lang::En)));
    assert_eq!(ticket.reason.kind(), "asked");
    let transcript = handoff.transcript(ticket.id).await.unwrap();
    let first = &transcript[0];
    assert_eq!(first.role, Role::Customer);
    assert!(first.text.contains("How do I close Jiebei?"));
    assert!(
        !first.text.contains("13800000001"),
        "phone number not masked: {}",
        first.text
    );
    assert!(transcript.iter().any(|t| t.role == Role::Bot));
}

#[tokio::test]
async fn two_fallbacks_in_a_row_make_the_ticket_reason_repeated_misses() {
    let (e, handoff, _) = setup(false).await;
    e.handle(Incoming::text(2, "what is the weather tomorrow"))
        .await;
    e.handle(Incoming::text(2, "tell me a joke")).await;
    e.handle(Incoming::button(2, agent_button())).await;
    let ticket = handoff.open_ticket_of(2).await.unwrap().unwrap();
    assert_eq!(ticket.reason.kind(), "repeated_misses");
}

#[tokio::test]
async fn a_blocked_closure_puts_the_outstanding_amount_in_the_ticket_reason() {
    let (e, handoff, store) = setup(false).await;
    let phone = Phone::parse("+8613800000002").unwrap();
    let amount = Money::parse("1200.50").unwrap();
    Ledger::new(store)
        .add(&phone, amount, AccountState::Active, false)
        .await
        .unwrap();
    e.handle(Incoming::text(3, "/close")).await;
    let contact = Incoming {
        chat: 3,
        user: Some(3),
        language_code: None,
        input: jiebei_bot::engine::Input::Contact {
            phone: phone.to_string(),
            user_id: Some(3),
        },
    };
    e.handle(contact).await;
    e.handle(Incoming::button(3, agent_button())).await;
    let ticket = handoff.open_ticket_of(3).await.unwrap().unwrap();
    assert_eq!(
        ticket.reason.to_string(),
        "blocked_closure (outstanding 1200.50)"
    );
}

#[tokio::test]
async fn questions_the_bot_could_not_answer_are_kept_and_grouped() {
    let (e, handoff, _) = setup(false).await;
    let c = Content::builtin().unwrap();
    let matcher = jiebei_bot::matcher::Matcher::new(&c);
    e.handle(Incoming::text(4, "what is the weather tomorrow"))
        .await;
    e.handle(Incoming::text(4, "what is the weather tomorrow?"))
        .await;
    e.handle(Incoming::text(4, "How do I close Jiebei?")).await;
    // Greetings and thanks are answered, not kept as missed questions.
    e.handle(Incoming::text(4, "hi")).await;
    e.handle(Incoming::text(4, "谢谢")).await;
    let report = handoff.unanswered_report(None, &matcher, &c).await.unwrap();
    assert_eq!(report.len(), 1, "{report:?}");
    assert_eq!(report[0].count, 2, "{report:?}");
}

#[tokio::test]
async fn with_a_support_chat_the_open_tickets_messages_are_relayed_not_answered() {
    let (e, handoff, _) = setup(true).await;
    let c = Content::builtin().unwrap();
    let handled = e.handle_full(Incoming::text(5, "/agent")).await;
    let Some(TicketEvent::Opened(ticket)) = handled.ticket else {
        panic!("no card to post: {handled:?}")
    };
    assert!(handled.replies[0].text.contains(&c.text_with(
        "ticket_opened",
        Lang::En,
        &[("ticket", &ticket.id.to_string())]
    )));

    let handled = e
        .handle_full(Incoming::text(5, "How do I close Jiebei?"))
        .await;
    assert!(
        handled.replies.is_empty(),
        "the bot answered during the handoff: {:?}",
        handled.replies
    );
    assert!(matches!(handled.ticket, Some(TicketEvent::Relay(ref t)) if t.id == ticket.id));

    let other = e
        .handle_full(Incoming::text(6, "How do I close Jiebei?"))
        .await;
    assert!(
        other.ticket.is_none(),
        "another customer's message reached the ticket"
    );
    assert!(!other.replies.is_empty());

    let handled = e.handle_full(Incoming::text(5, "/stop")).await;
    assert_eq!(handled.replies[0].text, c.text("queue_left", Lang::En));
    assert!(matches!(handled.ticket, Some(TicketEvent::Left(_))));
    assert_eq!(
        handoff.by_id(ticket.id).await.unwrap().unwrap().status,
        Status::Resolved
    );
    let answered = e
        .handle_full(Incoming::text(5, "How do I close Jiebei?"))
        .await;
    assert!(answered.ticket.is_none());
    assert_eq!(
        answered.replies[0].text,
        c.faq_by_str("how-to-turn-off").unwrap().text.en.answer
    );
}

#[tokio::test]
async fn asking_again_while_a_ticket_is_open_adds_to_it() {
    let (e, handoff, _) = setup(false).await;
    e.handle(Incoming::text(7, "/agent")).await;
    e.handle(Incoming::text(7, "/agent")).await;
    assert_eq!(handoff.list(None).await.unwrap().len(), 1);
}
