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
    jiebei_bot::console::run(
        &engine,
        script.as_bytes(),
        &mut out,
        jiebei_bot::console::Options {
            greet: true,
            ..Default::default()
        },
    )
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

#[tokio::test]
async fn a_customer_terminal_and_an_agent_terminal_talk_through_a_ticket() {
    use jiebei_bot::handoff::Handoff;
    use tokio::io::AsyncWriteExt;

    let content = Content::builtin().unwrap();
    let settings = EngineSettings::for_content(&content);
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let handoff = Handoff::new(store.clone());
    let accounts = Arc::new(Ledger::new(store.clone()));
    let engine = Engine::new(content.clone(), Arc::new(store), accounts, settings)
        .with_handoff(handoff.clone(), true);

    let (mut typing, input) = tokio::io::duplex(1024);
    let customer = {
        let (engine, handoff) = (engine.clone(), handoff.clone());
        tokio::spawn(async move {
            let mut out = Vec::new();
            let options = jiebei_bot::console::Options {
                greet: false,
                prompt: false,
                agent: Some(handoff),
            };
            jiebei_bot::console::run(&engine, tokio::io::BufReader::new(input), &mut out, options)
                .await
                .unwrap();
            String::from_utf8(out).unwrap()
        })
    };
    typing
        .write_all(b"/agent\nmy id is 110101199003071234\n")
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let mut desk = Vec::new();
    let commands: &[u8] = b"/take 1\n/reply 1 Hello, I can help.\n/resolve 1\n";
    jiebei_bot::console::run_agent(&handoff, commands, &mut desk)
        .await
        .unwrap();
    let desk = String::from_utf8(desk).unwrap();
    assert!(desk.contains("new ticket T-000001"), "{desk}");
    assert!(
        !desk.contains("110101199003071234"),
        "ID number shown to the agent: {desk}"
    );

    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    typing.write_all(b"5\n").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(typing);
    let shown = customer.await.unwrap();
    let ticket = handoff.by_id("1".parse().unwrap()).await.unwrap().unwrap();
    assert!(
        shown.contains(&engine.agent_message(&ticket, "Hello, I can help.").text),
        "{shown}"
    );
    assert!(
        shown.contains(&engine.resolution_notice(&ticket).text),
        "{shown}"
    );
    assert!(
        shown.contains(content.text("rating_thanks", Lang::En)),
        "{shown}"
    );
    assert_eq!(ticket.rating.map(|r| r.stars()), Some(5));
}
