//! The closure flows through Telegram: contact sharing with the one-time
//! reply keyboard, confirmation buttons, refusals, stale buttons and a
//! restart between two steps, with the real dispatcher against the fake
//! Bot API and the built-in ledger in the test's SQLite database.

mod support;

use jiebei_bot::accounts::{AccountState, Money, Phone};
use jiebei_bot::lang::Lang;
use support::bot::TestBot;
use support::fake_bot_api::Message;
use support::updates::Person;

const PHONE: &str = "+8613800000001";

async fn account(bot: &TestBot, phone: &str, outstanding: &str) {
    let phone = Phone::parse(phone).unwrap();
    let owed = Money::parse(outstanding).unwrap();
    bot.ledger()
        .add(&phone, owed, AccountState::Active, false)
        .await
        .unwrap();
}

async fn account_state(bot: &TestBot, phone: &str) -> serde_json::Value {
    let view = bot
        .ledger()
        .show(&Phone::parse(phone).unwrap())
        .await
        .unwrap();
    serde_json::to_value(view).unwrap()["state"].clone()
}

fn text(bot: &TestBot, key: &str, vars: &[(&str, &str)]) -> String {
    bot.content
        .text_with(key, Lang::En, vars)
        .trim()
        .to_string()
}

/// Presses the button labelled with content text `key` under `message`.
fn press(bot: &TestBot, person: &Person, message: &Message, key: &str) {
    let label = bot.content.text(key, Lang::En);
    let data = message.button(label).unwrap_or_else(|| {
        panic!(
            "no {label:?} button under {:?}: {:?}",
            message.text, message.buttons
        )
    });
    bot.api.press(person, person.id, message.id, &data);
}

/// `/close` and the shared contact: returns the precautions message.
async fn verified(bot: &TestBot, anna: &Person) -> Message {
    bot.api.send_text(anna, "/close");
    bot.messages(anna.id, 2).await;
    bot.api.share_contact(anna, PHONE, Some(anna.id));
    let got = bot.messages(anna.id, 4).await;
    assert_eq!(got[3].text, text(bot, "precautions_turn_off", &[]));
    got[3].clone()
}

/// Continue under the precautions, then confirm: borrowing is turned off
/// only at the confirmation. Returns the chat's messages.
async fn continue_and_confirm(bot: &TestBot, anna: &Person, precautions: &Message) -> Vec<Message> {
    press(bot, anna, precautions, "button_continue");
    let got = bot.messages(anna.id, 5).await;
    let confirm = text(bot, "confirm_turn_off", &[("last4", "0001")]);
    assert!(got[4].text.starts_with(&confirm), "{:?}", got[4].text);
    let before = account_state(bot, PHONE).await;
    assert_eq!(before, "active", "nothing changes before confirming");

    press(bot, anna, &got[4], "button_confirm_turn_off");
    let got = bot.messages(anna.id, 6).await;
    assert_eq!(
        got[5].text,
        text(bot, "done_turn_off", &[("last4", "0001")])
    );
    assert_eq!(account_state(bot, PHONE).await, "borrowing_off");
    got
}

#[tokio::test]
async fn turning_off_borrowing_shares_the_contact_confirms_and_acts_once() {
    let bot = TestBot::start().await;
    account(&bot, PHONE, "0").await;
    let anna = Person::new(201, Some("en"));

    bot.api.send_text(&anna, "/close");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(got[0].text, text(&bot, "identity_request", &[]));
    assert!(got[0]
        .button(bot.content.text("button_abort", Lang::En))
        .is_some());
    assert_eq!(got[1].text, text(&bot, "button_share_contact", &[]));
    let keyboard = bot
        .api
        .reply_keyboard(anna.id)
        .expect("the contact keyboard is shown");
    assert_eq!(keyboard["keyboard"][0][0]["request_contact"], true);
    assert_eq!(keyboard["one_time_keyboard"], true);

    bot.api.share_contact(&anna, PHONE, Some(anna.id));
    let got = bot.messages(anna.id, 4).await;
    assert_eq!(got[2].text, text(&bot, "identity_ok", &[("last4", "0001")]));
    assert_eq!(got[3].text, text(&bot, "precautions_turn_off", &[]));
    assert_eq!(
        bot.api.reply_keyboard(anna.id),
        None,
        "the contact keyboard is removed"
    );

    let got = continue_and_confirm(&bot, &anna, &got[3]).await;
    for pressed in [&got[3], &got[4]] {
        let now = bot.api.message(anna.id, pressed.id).unwrap();
        assert!(
            now.buttons.is_empty(),
            "no buttons left under {:?}",
            now.text
        );
    }
    assert!(bot.api.unanswered_queries().is_empty());
}

#[tokio::test]
async fn cancelling_is_refused_while_a_loan_is_outstanding() {
    let bot = TestBot::start().await;
    let phone = "+8613800000002";
    account(&bot, phone, "1200.50").await;
    let anna = Person::new(202, Some("en"));
    bot.api.send_text(&anna, "/cancel");
    bot.messages(anna.id, 2).await;
    bot.api.share_contact(&anna, phone, Some(anna.id));
    let got = bot.messages(anna.id, 4).await;
    assert_eq!(got[2].text, text(&bot, "identity_ok", &[("last4", "0002")]));
    assert_eq!(
        got[3].text,
        text(&bot, "blocked_outstanding", &[("amount", "1200.50")])
    );
    assert!(got[3]
        .button(bot.content.text("button_agent", Lang::En))
        .is_some());
    assert_eq!(account_state(&bot, phone).await, "active");
}

#[tokio::test]
async fn someone_elses_contact_is_refused_and_links_nothing() {
    let bot = TestBot::start().await;
    account(&bot, PHONE, "0").await;
    let anna = Person::new(203, Some("en"));
    bot.api.send_text(&anna, "/close");
    bot.messages(anna.id, 2).await;
    bot.api.share_contact(&anna, PHONE, Some(999));
    let got = bot.messages(anna.id, 3).await;
    assert_eq!(got[2].text, text(&bot, "identity_foreign", &[]));

    // A contact card typed in by hand carries no user id: not proof either.
    bot.api.share_contact(&anna, PHONE, None);
    let got = bot.messages(anna.id, 4).await;
    assert_ne!(got[3].text, text(&bot, "identity_ok", &[("last4", "0001")]));
    assert_eq!(account_state(&bot, PHONE).await, "active");
}

#[tokio::test]
async fn a_button_from_a_stopped_flow_only_says_it_expired() {
    let bot = TestBot::start().await;
    account(&bot, PHONE, "0").await;
    let anna = Person::new(204, Some("en"));
    let precautions = verified(&bot, &anna).await;
    bot.api.send_text(&anna, "/stop");
    let got = bot.messages(anna.id, 5).await;
    assert_eq!(got[4].text, text(&bot, "aborted", &[]));

    press(&bot, &anna, &precautions, "button_continue");
    let got = bot.messages(anna.id, 6).await;
    assert_eq!(got[5].text, text(&bot, "button_expired", &[]));
    assert_eq!(account_state(&bot, PHONE).await, "active");
}

#[tokio::test]
async fn a_restart_between_two_steps_continues_the_flow_where_the_customer_was() {
    let mut bot = TestBot::start().await;
    account(&bot, PHONE, "0").await;
    let anna = Person::new(205, Some("en"));
    let precautions = verified(&bot, &anna).await;

    bot.restart().await;
    continue_and_confirm(&bot, &anna, &precautions).await;
}
