//! The terminal chat, driven with piped input as a script would.

use std::sync::Arc;

use jiebei_bot::accounts::Ledger;
use jiebei_bot::content::Content;
use jiebei_bot::engine::{Engine, EngineSettings, MemoryChats};
use jiebei_bot::lang::Lang;
use jiebei_bot::store::Store;

async fn run_script(script: &str) -> String {
    let content = Content::builtin().unwrap();
    let settings = EngineSettings::for_content(&content);
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let accounts = Arc::new(Ledger::new(store));
    let engine = Engine::new(
        content,
        Arc::new(MemoryChats::default()),
        accounts,
        settings,
    );
    let mut out = Vec::new();
    jiebei_bot::console::run(&engine, script.as_bytes(), &mut out, true, false)
        .await
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn the_chat_greets_numbers_buttons_and_a_typed_number_presses_one() {
    let c = Content::builtin().unwrap();
    let out = run_script("How do I close Jiebei?\n2\n").await;
    assert!(out.starts_with(c.text("greeting", Lang::En)));
    let turn_off = c.faq_by_str("how-to-turn-off").unwrap();
    assert!(out.contains(&turn_off.text.en.answer));
    assert!(out.contains(&format!(
        "[1] {}",
        c.text("button_start_turn_off", Lang::En)
    )));
    let second = c.faq(&turn_off.related[0]).unwrap();
    assert!(out.contains(&format!("[2] {}", second.text.en.question)));
    assert!(
        out.contains(&second.text.en.answer),
        "typing 2 did not press the second button"
    );
}

#[tokio::test]
async fn a_number_with_no_button_behind_it_is_read_as_a_message() {
    let c = Content::builtin().unwrap();
    let out = run_script("/help\n9\n").await;
    assert!(out.contains(c.text("help", Lang::En)));
    assert!(out.ends_with(&format!(
        "{}\n[1] {}\n\n",
        c.text("fallback", Lang::En),
        c.text("button_agent", Lang::En)
    )));
}

#[tokio::test]
async fn the_chat_ends_cleanly_at_end_of_input() {
    let out = run_script("").await;
    assert!(!out.is_empty(), "the greeting is shown even with no input");
}
