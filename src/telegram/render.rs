//! Engine replies as Telegram messages: text escaped for HTML parse mode and
//! split to fit, inline buttons on the last piece, and reply-keyboard changes
//! (the one-time "share my phone number" button, its removal) on a message
//! that has no inline keyboard, since a message carries one markup only.

use teloxide::types::{
    ButtonRequest, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup,
    KeyboardRemove, ReplyMarkup,
};

use crate::engine::{Keyboard, Reply};

use super::split::{split, MAX_TEXT};

/// One `sendMessage` call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outgoing {
    /// The text, escaped for HTML parse mode.
    pub html: String,
    /// Inline buttons or a reply-keyboard change.
    pub markup: Option<ReplyMarkup>,
}

/// Escapes the three characters HTML parse mode reads as markup.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The messages that show `replies`, in order.
pub(crate) fn render(replies: &[Reply]) -> Vec<Outgoing> {
    let mut out: Vec<Outgoing> = Vec::new();
    // A keyboard removal that found no message to ride on yet.
    let mut carried_remove = false;
    for reply in replies {
        let start = out.len();
        let mut pieces = split(&reply.text, MAX_TEXT);
        let inline = inline_keyboard(reply);
        if pieces.is_empty() && (inline.is_some() || reply.keyboard != Keyboard::Keep) {
            pieces.push("…".to_string());
        }
        if pieces.len() == 1 && inline.is_some() && reply.keyboard != Keyboard::Keep {
            pieces = split_last_paragraph(&pieces[0]);
        }
        out.extend(pieces.iter().map(|p| Outgoing {
            html: escape(p),
            markup: None,
        }));
        if out.len() == start {
            continue;
        }
        if let Some(inline) = inline {
            out.last_mut().expect("a piece was pushed").markup = Some(inline);
        }
        match &reply.keyboard {
            Keyboard::Keep => {}
            Keyboard::RequestContact(label) => {
                let markup = Some(contact_keyboard(label));
                match out[start].markup {
                    None => out[start].markup = markup,
                    Some(_) => out.push(Outgoing {
                        html: escape(label),
                        markup,
                    }),
                }
            }
            Keyboard::Remove => match out[start].markup {
                None => out[start].markup = Some(remove_keyboard()),
                Some(_) => match out[..start].iter_mut().rev().find(|o| o.markup.is_none()) {
                    Some(earlier) => earlier.markup = Some(remove_keyboard()),
                    None => carried_remove = true,
                },
            },
        }
        if carried_remove {
            if let Some(free) = out[start..].iter_mut().find(|o| o.markup.is_none()) {
                free.markup = Some(remove_keyboard());
                carried_remove = false;
            }
        }
    }
    if carried_remove {
        tracing::debug!(
            "no message could carry the keyboard removal; the one-time keyboard hides itself"
        );
    }
    out
}

/// Splits a text in two at its last paragraph break, so one piece can carry
/// a reply keyboard and the other the inline buttons; a single paragraph
/// stays whole.
fn split_last_paragraph(text: &str) -> Vec<String> {
    match text.rsplit_once("\n\n") {
        Some((head, tail)) if !head.trim().is_empty() && !tail.trim().is_empty() => {
            vec![head.to_string(), tail.to_string()]
        }
        _ => vec![text.to_string()],
    }
}

fn inline_keyboard(reply: &Reply) -> Option<ReplyMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = reply
        .buttons
        .iter()
        .filter(|row| !row.is_empty())
        .map(|row| {
            row.iter()
                .map(|b| InlineKeyboardButton::callback(b.label.clone(), b.data.encode()))
                .collect()
        })
        .collect();
    (!rows.is_empty()).then(|| ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(rows)))
}

/// A one-time keyboard with a single "share my phone number" button.
fn contact_keyboard(label: &str) -> ReplyMarkup {
    let button = KeyboardButton::new(label).request(ButtonRequest::Contact);
    ReplyMarkup::Keyboard(
        KeyboardMarkup::new([[button]])
            .one_time_keyboard()
            .resize_keyboard(),
    )
}

fn remove_keyboard() -> ReplyMarkup {
    ReplyMarkup::KeyboardRemove(KeyboardRemove::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::CallbackData;
    use crate::content::ActionId;

    fn with_buttons(text: &str) -> Reply {
        Reply::text(text).with_button("Start", CallbackData::Start(ActionId::TurnOff))
    }

    fn is_inline(o: &Outgoing) -> bool {
        matches!(o.markup, Some(ReplyMarkup::InlineKeyboard(_)))
    }

    #[test]
    fn every_dynamic_character_html_reads_is_escaped() {
        assert_eq!(
            escape("a < b && c > d <b>"),
            "a &lt; b &amp;&amp; c &gt; d &lt;b&gt;"
        );
        assert_eq!(render(&[Reply::text("1 < 2")])[0].html, "1 &lt; 2");
    }

    #[test]
    fn buttons_ride_on_the_last_piece_of_a_long_reply() {
        let text = format!("{}\n\n{}", "a".repeat(3000), "b".repeat(2000));
        let out = render(&[with_buttons(&text)]);
        assert_eq!(out.len(), 2);
        assert!(out[0].markup.is_none());
        assert!(is_inline(&out[1]));
        let Some(ReplyMarkup::InlineKeyboard(k)) = &out[1].markup else {
            unreachable!()
        };
        let data = &k.inline_keyboard[0][0].kind;
        assert_eq!(
            format!("{data:?}"),
            format!(
                "{:?}",
                teloxide::types::InlineKeyboardButtonKind::CallbackData("a:turn-off".into())
            )
        );
    }

    #[test]
    fn the_contact_keyboard_gets_a_message_of_its_own_when_buttons_take_the_only_one() {
        let mut reply = with_buttons("Share your number to go on.");
        reply.keyboard = Keyboard::RequestContact("Share my phone number".into());
        let out = render(&[reply]);
        assert_eq!(out.len(), 2);
        assert!(is_inline(&out[0]));
        assert_eq!(out[1].html, "Share my phone number");
        assert!(matches!(out[1].markup, Some(ReplyMarkup::Keyboard(ref k)) if k.one_time_keyboard));
    }

    #[test]
    fn a_two_paragraph_reply_splits_so_both_markups_fit() {
        let mut reply = with_buttons("Verified.\n\nRead the precautions.");
        reply.keyboard = Keyboard::Remove;
        let out = render(&[reply]);
        assert_eq!(out.len(), 2);
        assert!(matches!(
            out[0].markup,
            Some(ReplyMarkup::KeyboardRemove(_))
        ));
        assert!(is_inline(&out[1]));
    }

    #[test]
    fn a_removal_rides_on_an_earlier_message_without_markup() {
        let mut second = with_buttons("Continue?");
        second.keyboard = Keyboard::Remove;
        let out = render(&[Reply::text("Verified."), second]);
        assert!(matches!(
            out[0].markup,
            Some(ReplyMarkup::KeyboardRemove(_))
        ));
        assert!(is_inline(&out[1]));
    }

    #[test]
    fn an_empty_reply_sends_nothing() {
        assert!(render(&[Reply::text("  ")]).is_empty());
    }
}
