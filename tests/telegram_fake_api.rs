//! The fake Bot API checks what Telegram checks: these tests talk to it with
//! teloxide's own `Bot`, so a fake that drifted from what teloxide sends or
//! expects fails here before it misleads the bot's tests.

mod support;

use serde_json::json;
use support::fake_bot_api::{FakeBotApi, Fault, TOKEN};
use support::updates::{Group, Media, Person};
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, BotCommandScope, ButtonRequest, InlineKeyboardButton, InlineKeyboardMarkup,
    KeyboardButton, KeyboardMarkup, MessageKind, ParseMode, UpdateKind,
};
use teloxide::{ApiError, RequestError};

fn bot_for(api: &FakeBotApi) -> Bot {
    Bot::new(TOKEN).set_api_url(api.api_url())
}

#[tokio::test]
async fn get_me_answers_with_the_bot_user_teloxide_can_read() {
    let api = FakeBotApi::start().await;
    let me = bot_for(&api).get_me().await.unwrap();
    assert!(me.is_bot);
    assert_eq!(me.username(), "jiebei_test_bot");
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let api = FakeBotApi::start().await;
    let err = Bot::new("1:wrong")
        .set_api_url(api.api_url())
        .get_me()
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::InvalidToken)),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unknown_method_is_not_found() {
    let api = FakeBotApi::start().await;
    let client = reqwest::Client::new();
    let body: serde_json::Value = client
        .post(api.method_url("noSuchMethod"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body,
        json!({ "ok": false, "error_code": 404, "description": "Not Found" })
    );
}

#[tokio::test]
async fn every_kind_of_update_parses_in_teloxide() {
    let api = FakeBotApi::start().await;
    let anna = Person::new(42, Some("en"));
    api.send_text(&anna, "hello");
    for media in Media::ALL {
        api.send_media(&anna, media);
    }
    api.share_contact(&anna, "+8613800000001", Some(anna.id));
    api.edit_text(&anna, 1, "hello again");
    let group = Group {
        id: -1_001_000_000_001,
        title: "Support".into(),
        supergroup: true,
        forum: true,
    };
    api.send_group_text(&group, &anna, None, "in a group");
    api.press_unchecked(&anna, anna.id, 1, "f:abc");

    let updates = bot_for(&api).get_updates().await.unwrap();
    assert_eq!(updates.len(), 11);
    for u in &updates {
        assert!(
            !matches!(u.kind, UpdateKind::Error(_)),
            "unparsed update {u:?}"
        );
        if let UpdateKind::Message(m) = &u.kind {
            assert!(
                !matches!(m.kind, MessageKind::Empty {}),
                "unreadable message {m:?}"
            );
        }
    }
    assert!(matches!(updates[8].kind, UpdateKind::EditedMessage(_)));
    assert!(matches!(updates[10].kind, UpdateKind::CallbackQuery(_)));
    let contact = updates[7].clone();
    let UpdateKind::Message(m) = contact.kind else {
        panic!("not a message")
    };
    assert_eq!(m.contact().unwrap().user_id, Some(UserId(42)));
}

#[tokio::test]
async fn get_updates_confirms_everything_below_the_offset() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    let anna = Person::new(42, None);
    let first = api.send_text(&anna, "one");
    api.send_text(&anna, "two");

    let all = bot.get_updates().await.unwrap();
    assert_eq!(all.len(), 2, "nothing is confirmed without an offset");
    let rest = bot.get_updates().offset(first as i32 + 1).await.unwrap();
    assert_eq!(rest.len(), 1);
    let again = bot.get_updates().await.unwrap();
    assert_eq!(again.len(), 1, "the first update stays confirmed");
}

#[tokio::test]
async fn a_long_poll_returns_as_soon_as_an_update_arrives() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    let poll = tokio::spawn(async move { bot.get_updates().timeout(5).await });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    api.send_text(&Person::new(7, None), "hi");
    let started = std::time::Instant::now();
    let updates = poll.await.unwrap().unwrap();
    assert_eq!(updates.len(), 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[tokio::test]
async fn a_second_poller_ends_the_first_with_a_conflict() {
    let api = FakeBotApi::start().await;
    let (first, second) = (bot_for(&api), bot_for(&api));
    let waiting = tokio::spawn(async move { first.get_updates().timeout(5).await });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    second.get_updates().await.unwrap();
    api.send_text(&Person::new(7, None), "wake up");
    let err = waiting.await.unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            RequestError::Api(ApiError::TerminatedByOtherGetUpdates)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn redelivered_updates_come_back_to_a_fresh_poller() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    let id = api.send_text(&Person::new(7, None), "once");
    bot.get_updates().offset(id as i32 + 1).await.unwrap();
    api.redeliver_from(id);
    let again = bot.get_updates().await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id.0 as i64, id);
}

#[tokio::test]
async fn html_that_telegram_cannot_parse_is_refused() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    let anna = Person::new(42, None);
    api.send_text(&anna, "hi");
    for bad in ["1 < 2", "Tom & Jerry", "<p>para</p>", "<b>open"] {
        let err = bot
            .send_message(ChatId(42), bad)
            .parse_mode(ParseMode::Html)
            .await
            .unwrap_err();
        assert!(
            format!("{err}").contains("can't parse entities"),
            "{bad}: {err}"
        );
    }
    let ok = bot
        .send_message(ChatId(42), "<b>1 &lt; 2</b> &amp; ok")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(ok.text(), Some("1 < 2 & ok"));
}

#[tokio::test]
async fn text_over_4096_characters_after_parsing_is_too_long() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    api.send_text(&Person::new(42, None), "hi");
    let fits = format!("<b>{}</b>", "x".repeat(4096));
    bot.send_message(ChatId(42), fits)
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    let err = bot
        .send_message(ChatId(42), "字".repeat(4097))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageIsTooLong)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_message_to_a_chat_that_never_wrote_is_refused() {
    let api = FakeBotApi::start().await;
    let err = bot_for(&api)
        .send_message(ChatId(99), "hello")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::ChatNotFound)),
        "{err:?}"
    );
}

#[tokio::test]
async fn callback_data_over_64_bytes_is_refused() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    api.send_text(&Person::new(42, None), "hi");
    let keyboard =
        |data: String| InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("go", data)]]);
    bot.send_message(ChatId(42), "ok")
        .reply_markup(keyboard("a".repeat(64)))
        .await
        .unwrap();
    let err = bot
        .send_message(ChatId(42), "too long")
        .reply_markup(keyboard("a".repeat(65)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::ButtonDataInvalid)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_contact_keyboard_is_shown_then_removed() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    api.send_text(&Person::new(42, None), "hi");
    let share =
        KeyboardMarkup::new([[KeyboardButton::new("Share").request(ButtonRequest::Contact)]])
            .one_time_keyboard();
    bot.send_message(ChatId(42), "share please")
        .reply_markup(share)
        .await
        .unwrap();
    assert_eq!(
        api.reply_keyboard(42).unwrap()["keyboard"][0][0]["request_contact"],
        true
    );
    bot.send_message(ChatId(42), "thanks")
        .reply_markup(teloxide::types::KeyboardRemove::new())
        .await
        .unwrap();
    assert_eq!(api.reply_keyboard(42), None);
}

#[tokio::test]
async fn a_callback_query_can_be_answered_once() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    let anna = Person::new(42, None);
    api.send_text(&anna, "hi");
    let markup = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("go", "f:x")]]);
    let sent = bot
        .send_message(ChatId(42), "pick")
        .reply_markup(markup)
        .await
        .unwrap();
    api.press(&anna, 42, sent.id.0 as i64, "f:x");
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::CallbackQuery(q) = &updates.last().unwrap().kind else {
        panic!()
    };
    bot.answer_callback_query(q.id.clone()).await.unwrap();
    assert!(bot.answer_callback_query(q.id.clone()).await.is_err());
    assert!(api.unanswered_queries().is_empty());

    bot.edit_message_reply_markup(ChatId(42), sent.id)
        .await
        .unwrap();
    assert!(api
        .message(42, sent.id.0 as i64)
        .unwrap()
        .buttons
        .is_empty());
    let again = bot
        .edit_message_reply_markup(ChatId(42), sent.id)
        .await
        .unwrap_err();
    assert!(
        matches!(again, RequestError::Api(ApiError::MessageNotModified)),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_429_carries_retry_after_and_only_hits_the_next_calls() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    api.send_text(&Person::new(42, None), "hi");
    api.fail_next("sendMessage", 1, Fault::TooManyRequests { retry_after: 3 });
    let err = bot.send_message(ChatId(42), "first").await.unwrap_err();
    assert!(
        matches!(err, RequestError::RetryAfter(s) if s.seconds() == 3),
        "{err:?}"
    );
    bot.send_message(ChatId(42), "second").await.unwrap();
}

#[tokio::test]
async fn a_dropped_connection_is_a_network_error() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    api.send_text(&Person::new(42, None), "hi");
    api.fail_next("sendMessage", 1, Fault::Disconnect);
    let err = bot.send_message(ChatId(42), "lost").await.unwrap_err();
    assert!(matches!(err, RequestError::Network(_)), "{err:?}");
    assert_eq!(api.bot_messages(42).len(), 0, "nothing was delivered");
}

#[tokio::test]
async fn commands_are_recorded_with_scope_and_language() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    bot.set_my_commands([BotCommand::new("start", "Start")])
        .scope(BotCommandScope::AllPrivateChats)
        .language_code("zh")
        .await
        .unwrap();
    let bad = bot.set_my_commands([BotCommand::new("Start", "x")]).await;
    assert!(bad.is_err(), "upper-case commands are refused");
    let recorded = api.commands();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["language_code"], "zh");
    assert_eq!(recorded[0]["scope"]["type"], "all_private_chats");
}

#[tokio::test]
async fn forum_topics_and_copies_work_in_a_forum_supergroup_only() {
    let api = FakeBotApi::start().await;
    let bot = bot_for(&api);
    let anna = Person::new(42, None);
    api.send_text(&anna, "my question");
    let forum = Group {
        id: -1_001_000_000_002,
        title: "Agents".into(),
        supergroup: true,
        forum: true,
    };
    let plain = Group {
        id: -1_001_000_000_003,
        title: "Plain".into(),
        supergroup: true,
        forum: false,
    };
    api.add_group(&forum);
    api.add_group(&plain);

    let topic = bot
        .create_forum_topic(ChatId(forum.id), "Ticket 1")
        .await
        .unwrap();
    assert!(bot
        .create_forum_topic(ChatId(plain.id), "Ticket 1")
        .await
        .is_err());
    let copy = bot
        .copy_message(ChatId(forum.id), ChatId(42), teloxide::types::MessageId(1))
        .message_thread_id(topic.thread_id)
        .await
        .unwrap();
    let copied = api.message(forum.id, copy.0 as i64).unwrap();
    assert_eq!(copied.text, "my question");
    assert_eq!(copied.thread, Some(topic.thread_id.0 .0 as i64));
}

#[test]
fn allowed_tags_and_entities_leave_their_text() {
    let text = support::html::parse("<b>a</b> &lt;b&gt; &amp; &quot; &#20013;").unwrap();
    assert_eq!(text, "a <b> & \" 中");
}

#[test]
fn a_bare_angle_bracket_or_ampersand_or_a_stray_tag_is_refused() {
    let parse = support::html::parse;
    assert!(parse("1 < 2").unwrap_err().contains("can't parse entities"));
    assert!(parse("Tom & Jerry")
        .unwrap_err()
        .contains("can't parse entities"));
    assert!(parse("<p>x</p>")
        .unwrap_err()
        .contains("Unsupported start tag \"p\""));
    assert!(parse("<b>x").unwrap_err().contains("Can't find end tag"));
    assert!(parse("<b>x</i>").unwrap_err().contains("Unmatched end tag"));
}
