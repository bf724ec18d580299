//! The data a button carries, and its one codec: every encoding fits
//! Telegram's 64-byte callback-data limit, and anything that does not decode
//! (old formats, forged data) is `None`, which the engine answers as an
//! expired button.

use std::fmt;

use crate::accounts::Closure;
use crate::closure::{Button, Nonce};
use crate::content::{ActionId, FaqId};
use crate::handoff::{Rating, TicketId};

/// Telegram's limit on callback data, in bytes.
pub const MAX_LEN: usize = 64;

/// The one-letter code of a flow button.
fn flow_code(button: Button) -> char {
    match button {
        Button::Choose {
            action: Closure::TurnOff,
            ..
        } => 't',
        Button::Choose {
            action: Closure::Cancel,
            ..
        } => 'x',
        Button::Continue { .. } => 'k',
        Button::Confirm { .. } => 'y',
        Button::ConfirmFinal { .. } => 'z',
        Button::Abort { .. } => 's',
    }
}

/// The flow button with code `code` and nonce `nonce`.
fn flow_button(code: char, nonce: Nonce) -> Option<Button> {
    Some(match code {
        't' => Button::Choose {
            action: Closure::TurnOff,
            nonce,
        },
        'x' => Button::Choose {
            action: Closure::Cancel,
            nonce,
        },
        'k' => Button::Continue { nonce },
        'y' => Button::Confirm { nonce },
        'z' => Button::ConfirmFinal { nonce },
        's' => Button::Abort { nonce },
        _ => return None,
    })
}

fn nonce_of(button: Button) -> Nonce {
    match button {
        Button::Choose { nonce, .. }
        | Button::Continue { nonce }
        | Button::Confirm { nonce }
        | Button::ConfirmFinal { nonce }
        | Button::Abort { nonce } => nonce,
    }
}

/// What pressing a button means.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallbackData {
    /// Show this FAQ answer (related questions, clarify candidates).
    Faq(FaqId),
    /// Start this action ("start now", a clarify candidate).
    Start(ActionId),
    /// "None of these" under a clarify question.
    NoneOfThese,
    /// A step of a closure flow; the button carries its flow's nonce.
    Flow(Button),
    /// The customer rates the help on a resolved ticket (1 to 5 stars).
    Rate {
        /// The ticket rated.
        ticket: TicketId,
        /// The stars given.
        stars: Rating,
    },
    /// An agent takes a ticket from its card in the support group.
    Take(TicketId),
}

impl CallbackData {
    /// The compact form sent to Telegram (at most [`MAX_LEN`] bytes).
    pub fn encode(&self) -> String {
        let s = self.to_string();
        debug_assert!(s.len() <= MAX_LEN, "callback data too long: {s}");
        s
    }

    /// Reads data produced by [`encode`](Self::encode); anything else is `None`.
    pub fn decode(data: &str) -> Option<CallbackData> {
        if data.len() > MAX_LEN {
            return None;
        }
        let (tag, rest) = data.split_once(':').unwrap_or((data, ""));
        match tag {
            "f" => FaqId::parse(rest).ok().map(CallbackData::Faq),
            "a" => ActionId::parse(rest).map(CallbackData::Start),
            "n" if rest.is_empty() => Some(CallbackData::NoneOfThese),
            "r" => {
                let (ticket, stars) = rest.split_once(':')?;
                let ticket = ticket_number(ticket)?;
                let stars = Rating::new(stars.parse().ok()?).ok()?;
                Some(CallbackData::Rate { ticket, stars })
            }
            "t" => ticket_number(rest).map(CallbackData::Take),
            "c" => {
                let (nonce, choice) = rest.split_once(':')?;
                if nonce.len() > 8 || nonce.starts_with('+') {
                    return None;
                }
                let nonce = Nonce(u32::from_str_radix(nonce, 16).ok()?);
                let mut chars = choice.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                flow_button(c, nonce).map(CallbackData::Flow)
            }
            _ => None,
        }
    }
}

/// A ticket number as buttons carry it: 1 to 19 plain digits.
fn ticket_number(digits: &str) -> Option<TicketId> {
    if digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    TicketId::new(digits.parse().ok()?)
}

impl fmt::Display for CallbackData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackData::Faq(id) => write!(f, "f:{id}"),
            CallbackData::Start(a) => write!(f, "a:{a}"),
            CallbackData::NoneOfThese => f.write_str("n"),
            CallbackData::Rate { ticket, stars } => {
                write!(f, "r:{}:{}", ticket.get(), stars.stars())
            }
            CallbackData::Take(ticket) => write!(f, "t:{}", ticket.get()),
            CallbackData::Flow(b) => write!(f, "c:{:x}:{}", nonce_of(*b).0, flow_code(*b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_kind_of_button_round_trips() {
        let all = [
            CallbackData::Faq(FaqId::parse("zhima-credit-impact").unwrap()),
            CallbackData::Start(ActionId::Cancel),
            CallbackData::NoneOfThese,
            CallbackData::Rate {
                ticket: TicketId::new(i64::MAX).unwrap(),
                stars: Rating::new(5).unwrap(),
            },
            CallbackData::Take(TicketId::new(1).unwrap()),
            CallbackData::Take(TicketId::new(i64::MAX).unwrap()),
            CallbackData::Flow(Button::ConfirmFinal {
                nonce: Nonce(u32::MAX),
            }),
            CallbackData::Flow(Button::Abort { nonce: Nonce(0) }),
            CallbackData::Flow(Button::Choose {
                action: Closure::Cancel,
                nonce: Nonce(7),
            }),
            CallbackData::Flow(Button::Choose {
                action: Closure::TurnOff,
                nonce: Nonce(7),
            }),
            CallbackData::Flow(Button::Continue { nonce: Nonce(7) }),
            CallbackData::Flow(Button::Confirm { nonce: Nonce(7) }),
        ];
        for d in all {
            assert_eq!(CallbackData::decode(&d.encode()), Some(d));
        }
    }

    #[test]
    fn the_longest_faq_id_still_fits_in_64_bytes() {
        let id = FaqId::parse(&"a".repeat(FaqId::MAX_LEN)).unwrap();
        assert!(CallbackData::Faq(id).encode().len() <= MAX_LEN);
    }

    #[test]
    fn forged_or_old_data_does_not_decode() {
        for bad in [
            "",
            "c:zz:y",
            "c:1:q",
            "c:1:yy",
            "f:Bad_Id",
            "a:explode",
            "n:1",
            "c:123456789:y",
            "x",
            "r:0:3",
            "r:1:6",
            "r:1:",
            "r:-1:3",
            "t:",
            "t:0",
            "t:-4",
            "t:+4",
            "t:4:1",
            "t:99999999999999999999",
        ] {
            assert_eq!(CallbackData::decode(bad), None, "{bad} decoded");
        }
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_data_never_panics(s in ".{0,80}") {
            let _ = CallbackData::decode(&s);
        }

        #[test]
        fn take_buttons_round_trip_for_every_ticket(n in 1..=i64::MAX) {
            let d = CallbackData::Take(TicketId::new(n).unwrap());
            prop_assert_eq!(CallbackData::decode(&d.encode()), Some(d));
        }

        #[test]
        fn flow_buttons_round_trip_for_every_nonce(nonce in any::<u32>()) {
            let d = CallbackData::Flow(Button::Confirm { nonce: Nonce(nonce) });
            prop_assert_eq!(CallbackData::decode(&d.encode()), Some(d));
        }
    }
}
