//! The engine answering questions: what a customer sees for answers,
//! follow-ups, clarify choices, fallbacks, topics, languages and commands.

use std::sync::Arc;

use jiebei_bot::accounts::Ledger;
use jiebei_bot::callback::CallbackData;
use jiebei_bot::content::Content;
use jiebei_bot::engine::{
    ChatStore, Engine, EngineSettings, Incoming, Input, ManualClock, MemoryChats, Reply,
};
use jiebei_bot::lang::Lang;
use jiebei_bot::store::Store;
use time::macros::datetime;

fn content() -> Content {
    Content::builtin().expect("shipped content loads")
}

async fn engine_at(clock: ManualClock) -> (Engine, Arc<MemoryChats>) {
    let content = content();
    let settings = EngineSettings::for_content(&content);
    let chats = Arc::new(MemoryChats::default());
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let accounts = Arc::new(Ledger::new(store));
    let engine = Engine::with_clock(content, chats.clone(), accounts, settings, Arc::new(clock));
    (engine, chats)
}

async fn engine() -> Engine {
    engine_at(ManualClock::new(datetime!(2026-11-25 09:00 UTC)))
        .await
        .0
}

fn text_of(c: &Content, key: &str, lang: Lang) -> String {
    c.text(key, lang).to_string()
}

fn labels(reply: &Reply) -> Vec<String> {
    reply.all_buttons().map(|b| b.label.clone()).collect()
}

#[tokio::test]
async fn start_greets_in_the_language_telegram_reports() {
    let e = engine().await;
    let c = content();
    let mut msg = Incoming::text(7, "/start");
    msg.language_code = Some("zh-hans".into());
    let replies = e.handle(msg).await;
    assert_eq!(replies[0].text, text_of(&c, "greeting", Lang::Zh));
    let replies = e.handle(Incoming::text(8, "/start")).await;
    assert_eq!(replies[0].text, text_of(&c, "greeting", Lang::En));
}

#[tokio::test]
async fn a_question_gets_its_answer_with_start_now_and_follow_up_buttons() {
    let e = engine().await;
    let c = content();
    let replies = e.handle(Incoming::text(1, "How do I close Jiebei?")).await;
    let faq = c.faq_by_str("how-to-turn-off").unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].text, faq.text.en.answer);
    let buttons = labels(&replies[0]);
    assert_eq!(buttons[0], text_of(&c, "button_start_turn_off", Lang::En));
    for rel in &faq.related {
        assert!(
            buttons.contains(&c.faq(rel).unwrap().text.en.question),
            "missing follow-up {rel}"
        );
    }
}

#[tokio::test]
async fn pressing_a_follow_up_button_shows_that_answer() {
    let e = engine().await;
    let c = content();
    let replies = e.handle(Incoming::text(1, "How do I close Jiebei?")).await;
    let follow_up = replies[0]
        .all_buttons()
        .find(|b| matches!(b.data, CallbackData::Faq(_)))
        .unwrap()
        .clone();
    let CallbackData::Faq(id) = &follow_up.data else {
        unreachable!()
    };
    let replies = e.handle(Incoming::button(1, follow_up.data.encode())).await;
    assert_eq!(replies[0].text, c.faq(id).unwrap().text.en.answer);
}

#[tokio::test]
async fn a_chinese_question_is_answered_in_chinese() {
    let e = engine().await;
    let c = content();
    let replies = e.handle(Incoming::text(1, "关闭借呗会影响芝麻分吗")).await;
    assert_eq!(
        replies[0].text,
        c.faq_by_str("zhima-credit-impact").unwrap().text.zh.answer
    );
}

#[tokio::test]
async fn out_of_domain_text_falls_back_and_offers_a_human() {
    let e = engine().await;
    let c = content();
    for text in [
        "what's the weather tomorrow",
        "how do I open Huabei",
        "花呗怎么开通",
    ] {
        let replies = e.handle(Incoming::text(1, text)).await;
        let lang = if text.is_ascii() { Lang::En } else { Lang::Zh };
        assert_eq!(replies[0].text, text_of(&c, "fallback", lang), "{text}");
        assert_eq!(labels(&replies[0]), vec![text_of(&c, "button_agent", lang)]);
    }
}

#[tokio::test]
async fn none_of_these_under_a_clarify_choice_leads_to_the_fallback() {
    let e = engine().await;
    let c = content();
    let replies = e
        .handle(Incoming::button(1, CallbackData::NoneOfThese.encode()))
        .await;
    assert_eq!(replies[0].text, text_of(&c, "fallback", Lang::En));
}

#[tokio::test]
async fn a_forged_or_unknown_button_says_it_has_expired_and_does_nothing_else() {
    let e = engine().await;
    let c = content();
    for data in ["garbage", "f:no-such-entry", "c:zz:y", ""] {
        let replies = e.handle(Incoming::button(1, data)).await;
        assert_eq!(replies.len(), 1);
        assert_eq!(
            replies[0].text,
            text_of(&c, "button_expired", Lang::En),
            "{data}"
        );
    }
}

#[tokio::test]
async fn topics_lists_the_hot_topics_inside_the_window() {
    let e = engine().await;
    let c = content();
    let replies = e.handle(Incoming::text(1, "/topics")).await;
    let header = c.text_with("topics_header", Lang::En, &[("days", "10")]);
    assert!(replies[0].text.starts_with(&header));
    for t in &c.topics {
        assert!(
            replies[0].text.contains(&t.text.en.title),
            "missing topic {}",
            t.id
        );
    }
}

#[tokio::test]
async fn topics_says_so_when_none_are_recent() {
    let (e, _) = engine_at(ManualClock::new(datetime!(2027-06-01 09:00 UTC))).await;
    let c = content();
    let replies = e.handle(Incoming::text(1, "/topics")).await;
    assert_eq!(
        replies[0].text,
        c.text_with("topics_none", Lang::En, &[("days", "10")])
    );
}

#[tokio::test]
async fn lang_pins_the_reply_language_over_the_script() {
    let e = engine().await;
    let c = content();
    e.handle(Incoming::text(1, "/lang zh")).await;
    let replies = e.handle(Incoming::text(1, "How do I close Jiebei?")).await;
    assert_eq!(
        replies[0].text,
        c.faq_by_str("how-to-turn-off").unwrap().text.zh.answer
    );
    let replies = e.handle(Incoming::text(1, "/lang klingon")).await;
    assert_eq!(replies[0].text, text_of(&c, "lang_usage", Lang::Zh));
}

#[tokio::test]
async fn a_message_without_letters_keeps_the_chat_language() {
    let e = engine().await;
    let c = content();
    e.handle(Incoming::text(1, "怎么关闭借呗")).await;
    let replies = e.handle(Incoming::text(1, "???")).await;
    assert_eq!(replies[0].text, text_of(&c, "fallback", Lang::Zh));
}

#[tokio::test]
async fn deep_links_open_an_answer_directly() {
    let e = engine().await;
    let c = content();
    let replies = e.handle(Incoming::text(1, "/start faq-reopen")).await;
    assert_eq!(
        replies[0].text,
        c.faq_by_str("reopen").unwrap().text.en.answer
    );
    let replies = e.handle(Incoming::text(1, "/start faq-nonsense")).await;
    assert_eq!(replies[0].text, text_of(&c, "greeting", Lang::En));
}

#[tokio::test]
async fn unknown_commands_empty_messages_and_stickers_get_a_helpful_reply() {
    let e = engine().await;
    let c = content();
    assert_eq!(
        e.handle(Incoming::text(1, "/frobnicate")).await[0].text,
        text_of(&c, "unknown_command", Lang::En)
    );
    assert_eq!(
        e.handle(Incoming::text(1, "   ")).await[0].text,
        text_of(&c, "empty_message", Lang::En)
    );
    let sticker = Incoming {
        chat: 1,
        user: Some(1),
        language_code: None,
        input: Input::Unsupported,
    };
    assert_eq!(
        e.handle(sticker).await[0].text,
        text_of(&c, "unsupported_input", Lang::En)
    );
}

#[tokio::test]
async fn a_stored_state_that_no_longer_parses_is_reset_with_an_apology() {
    let (e, chats) = engine_at(ManualClock::new(datetime!(2026-11-25 09:00 UTC))).await;
    let c = content();
    chats
        .save(5, "{\"version\":0,\"something\":\"old\"}")
        .await
        .unwrap();
    let replies = e.handle(Incoming::text(5, "How do I close Jiebei?")).await;
    assert_eq!(replies[0].text, text_of(&c, "state_reset", Lang::En));
    assert_eq!(
        replies[1].text,
        c.faq_by_str("how-to-turn-off").unwrap().text.en.answer
    );
    let replies = e.handle(Incoming::text(5, "How do I close Jiebei?")).await;
    assert_eq!(replies.len(), 1, "the apology is said once");
}

#[tokio::test]
async fn every_button_the_bot_shows_fits_telegrams_64_byte_limit() {
    let e = engine().await;
    let c = content();
    for faq in &c.faqs {
        let replies = e
            .handle(Incoming::text(1, format!("/start faq-{}", faq.id)))
            .await;
        for b in replies.iter().flat_map(Reply::all_buttons) {
            assert!(b.data.encode().len() <= 64, "{:?}", b.data);
        }
    }
}

#[tokio::test]
async fn a_greeting_is_greeted_and_thanks_are_acknowledged_in_either_language() {
    let e = engine().await;
    let c = content();
    for (text, key, lang) in [
        ("hi", "greeting", Lang::En),
        ("Hello there!", "greeting", Lang::En),
        ("你好呀", "greeting", Lang::Zh),
        ("thanks!", "small_talk_thanks", Lang::En),
        ("hi, thank you very much", "small_talk_thanks", Lang::En),
        ("谢谢你", "small_talk_thanks", Lang::Zh),
    ] {
        let replies = e.handle(Incoming::text(40, text)).await;
        assert_eq!(replies.len(), 1, "{text}");
        assert_eq!(replies[0].text, text_of(&c, key, lang), "{text}");
    }
    // A greeting with a question is a question.
    let replies = e
        .handle(Incoming::text(41, "hello, how do I close jiebei"))
        .await;
    assert_ne!(replies[0].text, text_of(&c, "greeting", Lang::En));
    assert!(replies[0].text.contains("Alipay"), "{}", replies[0].text);
}
