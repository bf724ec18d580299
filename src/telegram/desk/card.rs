//! What agents read: a ticket's card (its id, language, reason and masked
//! transcript, split to fit), its topic's name, the buttons under the card,
//! and the `/tickets` list. Plain text; the caller escapes it.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use time::{Duration, OffsetDateTime};

use crate::callback::CallbackData;
use crate::content::Content;
use crate::handoff::{Reason, Role, Status, Ticket, Turn};
use crate::lang::Lang;
use crate::telegram::split::{split, MAX_TEXT};

/// Telegram's limit on a topic's name, in characters.
const MAX_TOPIC_NAME: usize = 128;

/// The card's text in pieces of at most one message each; the first piece
/// starts with the ticket's id, language and reason.
pub(super) fn card(
    content: &Content,
    lang: Lang,
    ticket: &Ticket,
    transcript: &[Turn],
) -> Vec<String> {
    let id = ticket.id.to_string();
    let opened = stamp(ticket.created);
    let reason = reason(content, lang, &ticket.reason);
    let mut text = content.text_with(
        "support_card",
        lang,
        &[
            ("ticket", &id),
            ("lang", ticket.lang.code()),
            ("reason", &reason),
            ("opened", &opened),
        ],
    );
    text.push_str("\n\n");
    text.push_str(content.text("support_transcript", lang));
    if transcript.is_empty() {
        text.push('\n');
        text.push_str(content.text("support_transcript_empty", lang));
    }
    for turn in transcript {
        let role = match turn.role {
            Role::Customer => "support_role_customer",
            Role::Bot => "support_role_bot",
            Role::Agent => "support_role_agent",
        };
        let at = turn.at;
        text.push_str(&format!(
            "\n\n{:02}:{:02} {}: {}",
            at.hour(),
            at.minute(),
            content.text(role, lang),
            turn.text
        ));
    }
    split(&text, MAX_TEXT)
}

/// The topic's name: `T-000042 · en · asked`.
pub(super) fn topic_name(ticket: &Ticket) -> String {
    let name = format!(
        "{} · {} · {}",
        ticket.id,
        ticket.lang.code(),
        ticket.reason.kind()
    );
    name.chars().take(MAX_TOPIC_NAME).collect()
}

/// The card's one button: "take" while the ticket waits, then who has it,
/// then that it is resolved. It always carries the take data, so a late
/// press is answered with who has the ticket.
pub(super) fn buttons(content: &Content, lang: Lang, ticket: &Ticket) -> InlineKeyboardMarkup {
    let label = match (ticket.status, &ticket.assigned_to) {
        (Status::Resolved, _) => content.text("support_button_resolved", lang).to_string(),
        (_, Some(agent)) => content.text_with("support_button_taken", lang, &[("agent", agent)]),
        (_, None) => content.text("support_button_take", lang).to_string(),
    };
    let data = CallbackData::Take(ticket.id).encode();
    InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(label, data)]])
}

/// The `/tickets` answer: every ticket that is not resolved, oldest first,
/// with its age and who has it.
pub(super) fn list(
    content: &Content,
    lang: Lang,
    tickets: &[Ticket],
    now: OffsetDateTime,
) -> String {
    if tickets.is_empty() {
        return content.text("support_tickets_none", lang).to_string();
    }
    let count = tickets.len().to_string();
    let mut out = content.text_with("support_tickets_header", lang, &[("count", &count)]);
    for t in tickets {
        let id = t.id.to_string();
        let age = age(content, lang, now - t.created);
        let mut vars = vec![
            ("ticket", id.as_str()),
            ("lang", t.lang.code()),
            ("reason", t.reason.kind()),
            ("age", age.as_str()),
        ];
        let line = match &t.assigned_to {
            Some(agent) => {
                vars.push(("agent", agent));
                content.text_with("support_ticket_assigned", lang, &vars)
            }
            None => content.text_with("support_ticket_waiting", lang, &vars),
        };
        out.push('\n');
        out.push_str(&line);
    }
    out
}

/// How long ago, to the minute below an hour, to the hour below a day.
fn age(content: &Content, lang: Lang, age: Duration) -> String {
    let minutes = age.whole_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let (d, h, m) = (days.to_string(), hours.to_string(), mins.to_string());
    if days > 0 {
        content.text_with("support_age_days", lang, &[("days", &d), ("hours", &h)])
    } else if hours > 0 {
        content.text_with("support_age_hours", lang, &[("hours", &h), ("minutes", &m)])
    } else {
        content.text_with("support_age_minutes", lang, &[("minutes", &m)])
    }
}

fn reason(content: &Content, lang: Lang, reason: &Reason) -> String {
    match reason {
        Reason::Asked => content.text("support_reason_asked", lang).to_string(),
        Reason::RepeatedMisses => content
            .text("support_reason_repeated_misses", lang)
            .to_string(),
        Reason::BlockedClosure(detail) => content.text_with(
            "support_reason_blocked_closure",
            lang,
            &[("detail", detail)],
        ),
    }
}

/// `2024-05-01 09:30`.
fn stamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::{Relay, TicketId};
    use time::macros::datetime;

    fn content() -> Content {
        Content::builtin().unwrap()
    }

    fn ticket(n: i64, reason: Reason) -> Ticket {
        let at = datetime!(2024-05-01 09:30 UTC);
        Ticket {
            id: TicketId::new(n).unwrap(),
            chat: 7,
            lang: Lang::Zh,
            reason,
            status: Status::Open,
            assigned_to: None,
            created: at,
            updated: at,
            first_agent_reply: None,
            resolved: None,
            rating: None,
            relay: Relay::default(),
        }
    }

    fn turn(role: Role, text: &str) -> Turn {
        Turn {
            role,
            text: text.into(),
            at: datetime!(2024-05-01 09:29 UTC),
        }
    }

    #[test]
    fn a_card_names_the_ticket_its_language_and_reason_then_the_transcript() {
        let c = content();
        let t = ticket(42, Reason::BlockedClosure("outstanding 1200.50".into()));
        let pieces = card(
            &c,
            Lang::En,
            &t,
            &[turn(Role::Customer, "close it"), turn(Role::Bot, "ok")],
        );
        assert_eq!(pieces.len(), 1);
        let text = &pieces[0];
        assert!(text.starts_with("Ticket T-000042 · zh"), "{text}");
        assert!(text.contains("outstanding 1200.50"), "{text}");
        assert!(text.contains("2024-05-01 09:30"), "{text}");
        assert!(text.contains("09:29 Customer: close it"), "{text}");
        assert!(text.find("Customer: close it") < text.find("Bot: ok"));
    }

    #[test]
    fn a_long_transcript_splits_with_the_ticket_id_first() {
        let c = content();
        let long: Vec<Turn> = (0..20)
            .map(|_| turn(Role::Customer, &"字".repeat(900)))
            .collect();
        let pieces = card(&c, Lang::Zh, &ticket(1, Reason::Asked), &long);
        assert!(pieces.len() > 1);
        assert!(pieces[0].starts_with("工单 T-000001"));
        assert!(pieces.iter().all(|p| p.encode_utf16().count() <= MAX_TEXT));
    }

    #[test]
    fn the_topic_name_is_id_language_and_reason_kind() {
        assert_eq!(
            topic_name(&ticket(42, Reason::RepeatedMisses)),
            "T-000042 · zh · repeated_misses"
        );
    }

    #[test]
    fn the_button_says_who_has_the_ticket_and_keeps_its_take_data() {
        let c = content();
        let mut t = ticket(5, Reason::Asked);
        let label = |t: &Ticket| {
            let b = &buttons(&c, Lang::En, t).inline_keyboard[0][0];
            (b.text.clone(), format!("{:?}", b.kind))
        };
        assert_eq!(label(&t).0, c.text("support_button_take", Lang::En));
        t.status = Status::Assigned;
        t.assigned_to = Some("@wang".into());
        assert!(label(&t).0.contains("@wang"));
        assert!(label(&t).1.contains("t:5"));
        t.status = Status::Resolved;
        assert_eq!(label(&t).0, c.text("support_button_resolved", Lang::En));
    }

    #[test]
    fn the_list_gives_each_ticket_its_age_and_agent() {
        let c = content();
        let mut taken = ticket(2, Reason::Asked);
        taken.assigned_to = Some("@li".into());
        let now = datetime!(2024-05-02 11:45 UTC);
        let text = list(&c, Lang::En, &[ticket(1, Reason::Asked), taken], now);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[1].contains("T-000001") && lines[1].contains("1 d 2 h"),
            "{text}"
        );
        assert!(lines[2].contains("@li"), "{text}");
        assert_eq!(
            list(&c, Lang::Zh, &[], now),
            c.text("support_tickets_none", Lang::Zh)
        );
        assert_eq!(age(&c, Lang::En, Duration::minutes(75)), "1 h 15 min");
        assert_eq!(age(&c, Lang::Zh, Duration::seconds(30)), "0 分钟");
    }
}
