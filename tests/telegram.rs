//! The Telegram front end to end: the real dispatcher (`telegram::run`)
//! against the fake Bot API in `support/`, which checks Telegram's limits.
//!
//! - greeting and command menu: `/start` in English and Chinese, `setMyCommands`
//! - answers and buttons: FAQ answers, clarify choices, pressed buttons, stale buttons
//! - what the bot does not read: stickers and other media, edits, groups
//! - Telegram's limits: long answers split, HTML escaped
//! - resilience: 429, 5xx and dropped connections, redelivered updates,
//!   restarts, graceful stop
//! - webhook mode with its secret token

mod support;

use std::sync::Arc;

use jiebei_bot::callback::CallbackData;
use jiebei_bot::engine::{Incoming, Input, Reply};
use jiebei_bot::lang::Lang;
use jiebei_bot::telegram::{Mode, TelegramError, TelegramSettings, UpdateLog};
use support::bot::TestBot;
use support::fake_bot_api::{Fault, Message};
use support::updates::{Group, Media, Person};

/// The text and buttons `reply` must show as in Telegram.
fn shown(reply: &Reply) -> (String, Vec<Vec<(String, String)>>) {
    let buttons = reply
        .buttons
        .iter()
        .map(|row| {
            row.iter()
                .map(|b| (b.label.clone(), b.data.encode()))
                .collect()
        })
        .collect();
    (reply.text.trim().to_string(), buttons)
}

fn seen(message: &Message) -> (String, Vec<Vec<(String, String)>>) {
    (message.text.clone(), message.buttons.clone())
}

fn text_from(person: &Person, text: &str) -> Incoming {
    Incoming {
        chat: person.id,
        user: Some(person.id),
        language_code: person.language_code.clone(),
        input: Input::Text(text.into()),
    }
}

#[tokio::test]
async fn start_greets_in_english_when_the_app_is_english() {
    let bot = TestBot::start().await;
    let anna = Person::new(101, Some("en"));
    bot.api.send_text(&anna, "/start");
    let got = bot.messages(anna.id, 1).await;
    assert_eq!(got[0].text, bot.content.text("greeting", Lang::En));
}

#[tokio::test]
async fn start_greets_in_chinese_when_the_app_is_chinese() {
    let bot = TestBot::start().await;
    let li = Person::new(102, Some("zh-hans"));
    bot.api.send_text(&li, "/start");
    let got = bot.messages(li.id, 1).await;
    assert_eq!(got[0].text, bot.content.text("greeting", Lang::Zh));
}

#[tokio::test]
async fn the_command_menu_is_registered_in_english_and_for_chinese_apps() {
    let bot = TestBot::start().await;
    bot.api.wait_for_calls("setMyCommands", 2).await;
    let menus = bot.api.commands();
    let names = |m: &serde_json::Value| -> Vec<String> {
        m["commands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["command"].as_str().unwrap().into())
            .collect()
    };
    let expected = [
        "start", "help", "topics", "close", "cancel", "agent", "stop", "lang",
    ];
    assert_eq!(menus.len(), 2);
    for menu in &menus {
        assert_eq!(names(menu), expected);
        assert_eq!(menu["scope"]["type"], "all_private_chats");
    }
    assert!(
        menus[0]["language_code"].is_null(),
        "English is the default menu"
    );
    assert_eq!(menus[1]["language_code"], "zh");
    let zh_start = &menus[1]["commands"][0]["description"];
    assert_eq!(zh_start, bot.content.text("command_start", Lang::Zh));
}

#[tokio::test]
async fn a_question_gets_its_answer_with_the_follow_up_buttons() {
    let bot = TestBot::start().await;
    let anna = Person::new(103, Some("en"));
    let question = "zhima";
    bot.api.send_text(&anna, question);
    let want = bot.expected(text_from(&anna, question)).await;
    assert!(
        want[0].all_buttons().count() > 0,
        "the answer has follow-up buttons"
    );
    let got = bot.messages(anna.id, want.len()).await;
    assert_eq!(seen(&got[0]), shown(&want[0]));
}

#[tokio::test]
async fn a_clarify_choice_shows_the_candidates_and_pressing_one_answers_it() {
    let bot = TestBot::start().await;
    let anna = Person::new(104, Some("en"));
    bot.api.send_text(&anna, "credit");
    let want = bot.expected(text_from(&anna, "credit")).await;
    assert_eq!(want[0].text, bot.content.text("clarify_prompt", Lang::En));
    let got = bot.messages(anna.id, 1).await;
    assert_eq!(seen(&got[0]), shown(&want[0]));

    // A FAQ candidate: its answer is the same in any chat (an action
    // candidate would start a flow with a nonce of its own).
    let (label, data) = got[0]
        .buttons
        .iter()
        .flatten()
        .find(|(_, data)| matches!(CallbackData::decode(data), Some(CallbackData::Faq(_))))
        .cloned()
        .expect("a FAQ among the candidates");
    bot.api.press(&anna, anna.id, got[0].id, &data);
    let pressed = Incoming {
        input: Input::Button(data.clone()),
        ..text_from(&anna, "")
    };
    let answer = bot.expected(pressed).await;
    let got = bot.messages(anna.id, 1 + answer.len()).await;
    assert_eq!(seen(&got[1]), shown(&answer[0]));

    bot.api.wait_for_calls("answerCallbackQuery", 1).await;
    assert!(
        bot.api.unanswered_queries().is_empty(),
        "every press is answered"
    );
    let clarify = bot.api.message(anna.id, got[0].id).unwrap();
    assert!(clarify.buttons.is_empty(), "the old choices are gone");
    assert!(
        clarify.text.ends_with(&format!("→ {label}")),
        "the choice made is noted"
    );
}

#[tokio::test]
async fn a_forged_or_stale_button_only_says_it_expired() {
    let bot = TestBot::start().await;
    let anna = Person::new(105, Some("en"));
    bot.api.send_text(&anna, "zhima");
    let got = bot.messages(anna.id, 1).await;
    bot.api
        .press_unchecked(&anna, anna.id, got[0].id, "c:1234:y");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(got[1].text, bot.content.text("button_expired", Lang::En));
    bot.api.wait_for_calls("answerCallbackQuery", 1).await;
    assert!(bot
        .api
        .message(anna.id, got[0].id)
        .unwrap()
        .buttons
        .is_empty());
}

#[tokio::test]
async fn stickers_photos_voice_video_files_and_locations_get_text_only_in_the_chats_language() {
    let bot = TestBot::start().await;
    let li = Person::new(106, Some("zh-hans"));
    for media in Media::ALL {
        bot.api.send_media(&li, media);
    }
    let got = bot.messages(li.id, Media::ALL.len()).await;
    for m in &got {
        assert_eq!(m.text, bot.content.text("unsupported_input", Lang::Zh));
    }
}

#[tokio::test]
async fn edited_messages_and_group_messages_get_no_reply() {
    let mut bot = TestBot::start().await;
    let anna = Person::new(107, Some("en"));
    let group = Group {
        id: -1_001_000_000_107,
        title: "Chat".into(),
        supergroup: true,
        forum: false,
    };
    bot.api.send_text(&anna, "/start");
    bot.messages(anna.id, 1).await;
    bot.api.edit_text(&anna, 1, "/help");
    bot.api.send_group_text(&group, &anna, None, "/start");
    bot.api
        .send_group_text(&group, &anna, None, "how do I close jiebei");
    bot.api.wait_until_confirmed().await;
    bot.stop().await.unwrap();
    assert_eq!(
        bot.api.bot_messages(anna.id).len(),
        1,
        "the edit was ignored"
    );
    assert!(
        bot.api.bot_messages(group.id).is_empty(),
        "silent in groups"
    );
}

#[tokio::test]
async fn a_5000_character_answer_arrives_as_two_messages_split_between_paragraphs() {
    let mut content = support::bot::builtin();
    let faq = content
        .faqs
        .iter_mut()
        .find(|f| f.id.as_str() == "zhima-credit-impact")
        .unwrap();
    let first = "First paragraph. ".repeat(160);
    let second = "Second paragraph. ".repeat(140);
    faq.text.en.answer = format!("{}\n\n{}", first.trim(), second.trim());
    assert!(faq.text.en.answer.chars().count() >= 5_000);
    let bot = TestBot::start_with(content).await;
    let anna = Person::new(108, Some("en"));
    bot.api.send_text(&anna, "zhima");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(got[0].text, first.trim());
    assert_eq!(got[1].text, second.trim());
    assert!(
        got[0].buttons.is_empty() && !got[1].buttons.is_empty(),
        "buttons on the last part"
    );
}

#[tokio::test]
async fn markup_characters_in_content_are_escaped_so_telegram_shows_them_as_written() {
    let mut content = support::bot::builtin();
    let greeting = content.texts.get_mut("greeting").unwrap();
    greeting.en = "Tom & Jerry <b>not bold</b> 1 < 2 > 0".into();
    let bot = TestBot::start_with(content).await;
    let anna = Person::new(109, Some("en"));
    bot.api.send_text(&anna, "/start");
    let got = bot.messages(anna.id, 1).await;
    assert_eq!(got[0].text, "Tom & Jerry <b>not bold</b> 1 < 2 > 0");
}

#[tokio::test]
async fn a_429_on_send_message_delays_the_reply_but_it_still_arrives() {
    let bot = TestBot::start().await;
    let anna = Person::new(110, Some("en"));
    bot.api
        .fail_next("sendMessage", 1, Fault::TooManyRequests { retry_after: 1 });
    bot.api.send_text(&anna, "/start");
    let got = bot.messages(anna.id, 1).await;
    assert_eq!(got[0].text, bot.content.text("greeting", Lang::En));
    let sends = bot.api.calls_to("sendMessage");
    assert_eq!(sends.len(), 2);
    assert_eq!(sends[0].outcome.as_ref().unwrap_err().0, 429);
    let waited = sends[1].at - sends[0].at;
    assert!(
        waited >= std::time::Duration::from_millis(900),
        "waited {waited:?}"
    );
}

#[tokio::test]
async fn a_dropped_connection_on_send_message_is_retried() {
    let bot = TestBot::start().await;
    let anna = Person::new(111, Some("en"));
    bot.api.fail_next("sendMessage", 2, Fault::Disconnect);
    bot.api.send_text(&anna, "/start");
    let got = bot.messages(anna.id, 1).await;
    assert_eq!(got[0].text, bot.content.text("greeting", Lang::En));
    assert_eq!(bot.api.calls_to("sendMessage").len(), 3);
}

#[tokio::test]
async fn a_server_error_on_send_message_is_retried() {
    // teloxide itself waits 10 s after any 5xx before reporting it.
    let bot = TestBot::start().await;
    let anna = Person::new(112, Some("en"));
    bot.api.fail_next("sendMessage", 1, Fault::ServerError(502));
    bot.api.send_text(&anna, "/start");
    let patience = std::time::Duration::from_secs(20);
    let got = bot.api.wait_for_messages_within(anna.id, 1, patience).await;
    assert_eq!(got[0].text, bot.content.text("greeting", Lang::En));
}

#[tokio::test]
async fn a_429_on_answer_callback_query_is_waited_out_and_retried() {
    let bot = TestBot::start().await;
    let anna = Person::new(113, Some("en"));
    bot.api.send_text(&anna, "zhima");
    let got = bot.messages(anna.id, 1).await;
    bot.api.fail_next(
        "answerCallbackQuery",
        1,
        Fault::TooManyRequests { retry_after: 1 },
    );
    let (_, data) = got[0].buttons[0][0].clone();
    bot.api.press(&anna, anna.id, got[0].id, &data);
    let answers = bot.api.wait_for_calls("answerCallbackQuery", 2).await;
    assert!(answers[1].ok());
    assert!(bot.api.unanswered_queries().is_empty());
}

#[tokio::test]
async fn an_update_telegram_delivers_twice_is_answered_once() {
    let mut bot = TestBot::start().await;
    let anna = Person::new(114, Some("en"));
    let first = bot.api.send_text(&anna, "/start");
    bot.messages(anna.id, 1).await;
    bot.api.wait_until_confirmed().await;
    bot.stop().await.unwrap();

    bot.api.redeliver_from(first);
    bot.api.send_text(&anna, "/help");
    let settings = bot.polling_settings();
    bot.launch(settings).await;
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(got[1].text, bot.content.text("help", Lang::En));
    bot.api.wait_until_confirmed().await;
    bot.stop().await.unwrap();
    assert_eq!(
        bot.api.bot_messages(anna.id).len(),
        2,
        "the redelivered /start got no second greeting"
    );
}

/// An update log whose marks never land, as when the bot dies after
/// handling an update and before recording it.
struct MarksLost;

#[async_trait::async_trait]
impl UpdateLog for MarksLost {
    async fn handled(&self, _update_id: i64) -> Result<bool, String> {
        Ok(false)
    }

    async fn mark_handled(&self, _update_id: i64) -> Result<(), String> {
        Ok(())
    }
}

#[tokio::test]
async fn an_update_whose_handling_was_not_recorded_is_answered_when_delivered_again() {
    let mut bot = TestBot::start().await;
    bot.stop().await.unwrap();
    let settings = bot.polling_settings();
    bot.launch_with_log(settings, Arc::new(MarksLost)).await;
    let anna = Person::new(115, Some("en"));
    let first = bot.api.send_text(&anna, "how do I close jiebei");
    let got = bot.messages(anna.id, 1).await;
    bot.api.wait_until_confirmed().await;
    bot.stop().await.unwrap();

    // Telegram delivers it again to a new process with the real log: the
    // question is answered, not skipped as handled.
    bot.api.redeliver_from(first);
    let settings = bot.polling_settings();
    bot.launch(settings).await;
    let again = bot.messages(anna.id, 2).await;
    assert_eq!(again[1].text, got[0].text);
    bot.api.wait_until_confirmed().await;
    bot.stop().await.unwrap();
}

#[tokio::test]
async fn a_restart_between_two_messages_keeps_the_chats_state() {
    let mut bot = TestBot::start().await;
    let anna = Person::new(115, Some("en"));
    bot.api.send_text(&anna, "/lang zh");
    bot.messages(anna.id, 1).await;
    bot.restart().await;
    bot.api.send_text(&anna, "/start");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(
        got[1].text,
        bot.content.text("greeting", Lang::Zh),
        "the pinned language survived"
    );
}

#[tokio::test]
async fn the_bot_stops_when_its_shutdown_future_resolves_and_confirms_what_it_handled() {
    let mut bot = TestBot::start().await;
    let anna = Person::new(116, Some("en"));
    bot.api.send_text(&anna, "/start");
    bot.messages(anna.id, 1).await;
    bot.stop()
        .await
        .expect("run returns Ok after a requested stop");
    bot.api.wait_until_confirmed().await;
}

#[tokio::test]
async fn a_token_telegram_refuses_stops_start_up_with_a_clear_error() {
    let mut bot = TestBot::start().await;
    bot.stop().await.unwrap();
    let mut settings = bot.polling_settings();
    settings.token = "1:not-the-token".into();
    bot.launch(settings).await;
    let err = bot.stop().await.unwrap_err();
    assert!(matches!(err, TelegramError::InvalidToken), "{err}");
}

#[tokio::test]
async fn webhook_mode_registers_the_secret_and_refuses_requests_without_it() {
    let mut bot = TestBot::start().await;
    bot.stop().await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let url: reqwest::Url = format!("http://{listen}/telegram").parse().unwrap();
    let secret = "s3cret_token-1".to_string();
    let mut settings: TelegramSettings = bot.polling_settings();
    settings.mode = Mode::Webhook {
        url: url.clone(),
        listen,
        secret: secret.clone(),
    };
    bot.launch(settings).await;

    bot.api
        .wait_until("the webhook", |api| api.webhook().is_some())
        .await;
    assert_eq!(
        bot.api.webhook().unwrap().secret.as_deref(),
        Some(secret.as_str())
    );
    let anna = Person::new(117, Some("en"));
    bot.api.send_text(&anna, "/start");
    let got = bot.messages(anna.id, 1).await;
    assert_eq!(got[0].text, bot.content.text("greeting", Lang::En));

    let client = reqwest::Client::new();
    let forged = serde_json::json!({ "update_id": 1, "message": {
        "message_id": 1, "date": 1, "text": "/start",
        "chat": { "id": 118, "type": "private", "first_name": "M" },
        "from": { "id": 118, "is_bot": false, "first_name": "M" },
    }});
    let no_secret = client.post(url.clone()).json(&forged).send().await.unwrap();
    assert_eq!(no_secret.status(), 401);
    let wrong = client
        .post(url.clone())
        .header("X-Telegram-Bot-Api-Secret-Token", "wrong")
        .json(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);

    bot.stop().await.unwrap();
    assert!(
        bot.api.webhook().is_some(),
        "the webhook stays for the next start or replica"
    );
    assert!(bot.api.bot_messages(118).is_empty());
}

#[tokio::test]
async fn a_deep_link_to_a_faq_opens_its_answer() {
    let bot = TestBot::start().await;
    let anna = Person::new(119, Some("en"));
    bot.api.send_text(&anna, "/start faq-zhima-credit-impact");
    let faq = bot.content.faq_by_str("zhima-credit-impact").unwrap();
    let got = bot.messages(anna.id, 1).await;
    assert_eq!(got[0].text, faq.text.en.answer.trim());
}

#[tokio::test]
async fn a_chat_state_an_older_version_wrote_is_reset_with_an_apology() {
    let bot = TestBot::start().await;
    let anna = Person::new(120, Some("en"));
    bot.store
        .save_chat(anna.id, r#"{"version":0,"flow":"gone"}"#)
        .await
        .unwrap();
    bot.api.send_text(&anna, "/start");
    let got = bot.messages(anna.id, 2).await;
    assert_eq!(got[0].text, bot.content.text("state_reset", Lang::En));
    assert_eq!(got[1].text, bot.content.text("greeting", Lang::En));
}
