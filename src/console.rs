//! The terminal front: the same engine as Telegram, buttons shown as
//! numbered choices (`[N] label`; typing the number presses it), one
//! customer message per line, so it can be scripted with piped input.
//!
//! Telegram's contact sharing is played by `/contact +8613800000001` (your
//! own number) and `/contact-other +8613800000001` (someone else's card).

use std::io::Write;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::engine::{Engine, Incoming, Input, Keyboard, Reply};

/// The chat id the terminal customer has.
pub const CONSOLE_CHAT: i64 = 1;
/// The user id of a contact card that is not the terminal customer's.
const SOMEONE_ELSE: i64 = 2;

/// Runs the terminal chat until end of input; `greet` shows the greeting first.
pub async fn run<R, W>(
    engine: &Engine,
    input: R,
    out: &mut W,
    greet: bool,
    prompt: bool,
) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: Write,
{
    let mut buttons: Vec<String> = Vec::new();
    if greet {
        let replies = engine.handle(Incoming::text(CONSOLE_CHAT, "/start")).await;
        buttons = print(engine, out, &replies)?;
    }
    let mut lines = input.lines();
    loop {
        if prompt {
            write!(out, "> ")?;
            out.flush()?;
        }
        let Some(line) = lines.next_line().await? else {
            break;
        };
        let incoming = to_incoming(&line, &buttons);
        let replies = engine.handle(incoming).await;
        buttons = print(engine, out, &replies)?;
    }
    Ok(())
}

/// What a typed line means: a number presses a shown button, `/contact`
/// shares a phone number, anything else is a message.
fn to_incoming(line: &str, buttons: &[String]) -> Incoming {
    let trimmed = line.trim();
    if let Ok(n) = trimmed.parse::<usize>() {
        if (1..=buttons.len()).contains(&n) {
            return Incoming::button(CONSOLE_CHAT, buttons[n - 1].clone());
        }
    }
    let contact = |phone: &str, user: i64| Incoming {
        chat: CONSOLE_CHAT,
        user: Some(CONSOLE_CHAT),
        language_code: None,
        input: Input::Contact {
            phone: phone.trim().to_string(),
            user_id: Some(user),
        },
    };
    if let Some(phone) = trimmed.strip_prefix("/contact-other ") {
        return contact(phone, SOMEONE_ELSE);
    }
    if let Some(phone) = trimmed.strip_prefix("/contact ") {
        return contact(phone, CONSOLE_CHAT);
    }
    Incoming::text(CONSOLE_CHAT, line)
}

/// Prints replies and returns the callback data of the numbered buttons.
fn print<W: Write>(
    engine: &Engine,
    out: &mut W,
    replies: &[Reply],
) -> std::io::Result<Vec<String>> {
    let mut data = Vec::new();
    for reply in replies {
        writeln!(out, "{}", reply.text)?;
        for button in reply.all_buttons() {
            data.push(button.data.encode());
            writeln!(out, "[{}] {}", data.len(), button.label)?;
        }
        if let Keyboard::RequestContact(label) = &reply.keyboard {
            let lang = crate::lang::detect_script(&reply.text).unwrap_or(crate::lang::Lang::En);
            writeln!(
                out,
                "({label}) {}",
                engine.content().text("contact_hint", lang)
            )?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(data)
}
