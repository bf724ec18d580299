//! One test per rule of the closure machine, driven through `step` alone.

use super::*;
use crate::accounts::{AccountState, AccountStatus, Closure, Money, Phone};

const T0: i64 = 1_700_000_000;
const N: Nonce = Nonce(41);
const OTHER: Nonce = Nonce(42);

fn phone() -> Phone {
    Phone::parse("+8613800000001").unwrap()
}

fn clean(state: AccountState) -> AccountStatus {
    AccountStatus {
        state,
        outstanding: Money::ZERO,
        overdue: false,
    }
}

fn owing(cents: i64, overdue: bool) -> AccountStatus {
    AccountStatus {
        state: AccountState::Active,
        outstanding: Money::from_cents(cents),
        overdue,
    }
}

/// A chat driven event by event, keeping every effect it produced.
struct Chat {
    state: State,
    now: i64,
    config: Config,
    last: Vec<Effect>,
    all: Vec<Effect>,
}

impl Chat {
    fn new() -> Chat {
        Chat {
            state: State::default(),
            now: T0,
            config: Config::default(),
            last: Vec::new(),
            all: Vec::new(),
        }
    }

    fn verified() -> Chat {
        let mut chat = Chat::new();
        chat.state.verified = Some(phone());
        chat
    }

    fn send(&mut self, event: Event) -> &mut Chat {
        let (state, effects) = step(self.state.clone(), event, self.now, &self.config);
        self.state = state;
        self.all.extend(effects.iter().cloned());
        self.last = effects;
        self
    }

    fn wait(&mut self, secs: i64) -> &mut Chat {
        self.now += secs;
        self
    }

    fn said(&self) -> Vec<Message> {
        self.last
            .iter()
            .filter_map(|e| match e {
                Effect::Say(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }

    fn executions(&self) -> usize {
        self.all
            .iter()
            .filter(|e| matches!(e, Effect::Execute { .. }))
            .count()
    }

    /// Starts `action`, shares the own contact, finds the account and
    /// reports `status`: the flow then shows the precautions if all is well.
    fn through_identity(&mut self, action: Closure, status: AccountStatus) -> &mut Chat {
        self.send(start(Some(action)))
            .send(own_contact())
            .send(Event::AccountFound { phone: phone() })
            .status(status)
    }

    /// Delivers the account's status, as the engine does after CheckStatus.
    fn status(&mut self, status: AccountStatus) -> &mut Chat {
        self.send(Event::Status {
            phone: phone(),
            status,
        })
    }

    /// Turn-off confirmed and the balance found clean again: `Execute` asked.
    fn reach_execution(&mut self) -> &mut Chat {
        self.reach_confirmation(Closure::TurnOff)
            .send(Event::Confirm { nonce: N })
            .status(clean(AccountState::Active))
    }

    /// Through identity and precautions to the first confirmation prompt.
    fn reach_confirmation(&mut self, action: Closure) -> &mut Chat {
        self.through_identity(action, clean(AccountState::Active))
            .send(Event::Continue { nonce: N })
    }
}

/// A request for `action` starting a flow with nonce `N`.
fn start(action: Option<Closure>) -> Event {
    Event::Start { action, nonce: N }
}

fn own_contact() -> Event {
    Event::Contact {
        phone: phone(),
        own: true,
    }
}

fn foreign_contact() -> Event {
    Event::Contact {
        phone: phone(),
        own: false,
    }
}

fn key(action: Closure) -> IdempotencyKey {
    IdempotencyKey::new(N, action)
}

fn execute_turn_off() -> Vec<Effect> {
    vec![Effect::Execute {
        action: Closure::TurnOff,
        phone: phone(),
        key: key(Closure::TurnOff),
    }]
}

fn executed_turn_off(result: ExecResult) -> Event {
    Event::Executed {
        key: key(Closure::TurnOff),
        result,
    }
}

fn done(action: Closure) -> Message {
    Message::Done {
        action,
        last4: "0001".into(),
    }
}

fn failed_and_offered_a_human() -> Vec<Effect> {
    vec![
        Effect::Say(Message::Failed),
        Effect::OfferAgent {
            reason: AgentReason::Failed,
        },
    ]
}

#[test]
fn a_flow_asks_for_identity_before_anything_else() {
    let mut chat = Chat::new();
    chat.send(start(Some(Closure::TurnOff)));
    assert_eq!(
        chat.last,
        vec![Effect::Say(Message::AskIdentity {
            action: Closure::TurnOff,
            nonce: N
        })]
    );
}

#[test]
fn a_start_without_an_action_asks_which_one_and_the_choice_goes_on() {
    let mut chat = Chat::new();
    chat.send(start(None));
    assert_eq!(chat.said(), vec![Message::ChooseAction { nonce: N }]);
    chat.send(Event::Choose {
        action: Closure::Cancel,
        nonce: N,
    });
    assert_eq!(
        chat.state.flow,
        Flow::AwaitingIdentity {
            action: Closure::Cancel,
            nonce: N
        }
    );
}

#[test]
fn someone_elses_contact_is_refused_and_nothing_is_linked() {
    let mut chat = Chat::new();
    chat.send(start(Some(Closure::TurnOff)));
    let before = chat.state.clone();
    chat.send(foreign_contact());
    assert_eq!(chat.last, vec![Effect::Say(Message::ContactRefused)]);
    assert_eq!(chat.state, before);
}

#[test]
fn the_own_contact_is_looked_up_and_a_found_account_verifies_the_chat() {
    let mut chat = Chat::new();
    chat.send(start(Some(Closure::TurnOff))).send(own_contact());
    assert_eq!(chat.last, vec![Effect::LookUp { phone: phone() }]);
    chat.send(Event::AccountFound { phone: phone() });
    assert_eq!(chat.state.verified, Some(phone()));
    assert_eq!(
        chat.last,
        vec![
            Effect::Say(Message::Verified {
                last4: "0001".into()
            }),
            Effect::CheckStatus { phone: phone() }
        ]
    );
}

#[test]
fn an_unknown_phone_is_told_and_offered_a_human_and_stays_unverified() {
    let mut chat = Chat::new();
    chat.send(start(Some(Closure::TurnOff)))
        .send(own_contact())
        .send(Event::AccountNotFound { phone: phone() });
    assert_eq!(
        chat.last,
        vec![
            Effect::Say(Message::UnknownPhone { phone: phone() }),
            Effect::OfferAgent {
                reason: AgentReason::UnknownPhone
            }
        ]
    );
    assert_eq!(chat.state, State::default());
}

#[test]
fn a_verified_chat_skips_identity_and_checks_the_status_at_once() {
    let mut chat = Chat::verified();
    chat.send(start(Some(Closure::Cancel)));
    assert_eq!(chat.last, vec![Effect::CheckStatus { phone: phone() }]);
}

#[test]
fn cancel_is_refused_while_a_loan_is_outstanding() {
    let mut chat = Chat::new();
    chat.through_identity(Closure::Cancel, owing(120_050, false));
    assert_eq!(
        chat.last,
        vec![
            Effect::Say(Message::Blocked {
                outstanding: Money::from_cents(120_050),
                overdue: false
            }),
            Effect::OfferAgent {
                reason: AgentReason::Blocked
            }
        ]
    );
    assert_eq!(chat.state.flow, Flow::Idle);
}

#[test]
fn turning_off_is_refused_while_a_loan_is_overdue_and_says_so() {
    let mut chat = Chat::new();
    chat.through_identity(Closure::TurnOff, owing(5_000, true));
    assert_eq!(
        chat.said(),
        vec![Message::Blocked {
            outstanding: Money::from_cents(5_000),
            overdue: true
        }]
    );
    assert_eq!(chat.state.flow, Flow::Idle);
}

#[test]
fn turning_off_an_account_already_off_says_so_and_does_nothing() {
    let mut chat = Chat::new();
    chat.through_identity(Closure::TurnOff, clean(AccountState::BorrowingOff));
    assert_eq!(chat.last, vec![Effect::Say(Message::AlreadyOff)]);
    assert_eq!(chat.state.flow, Flow::Idle);
}

#[test]
fn an_already_cancelled_account_says_so_for_either_action() {
    for action in [Closure::TurnOff, Closure::Cancel] {
        let mut chat = Chat::new();
        chat.through_identity(action, clean(AccountState::Cancelled));
        assert_eq!(chat.last, vec![Effect::Say(Message::AlreadyCancelled)]);
        assert_eq!(chat.state.flow, Flow::Idle);
    }
}

#[test]
fn cancelling_an_account_whose_borrowing_is_off_goes_ahead() {
    let mut chat = Chat::new();
    chat.through_identity(Closure::Cancel, clean(AccountState::BorrowingOff));
    assert_eq!(
        chat.said(),
        vec![Message::Precautions {
            action: Closure::Cancel,
            nonce: N
        }]
    );
}

#[test]
fn precautions_come_before_the_confirmation_which_carries_a_deadline() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::TurnOff);
    assert_eq!(
        chat.said(),
        vec![Message::Confirm {
            action: Closure::TurnOff,
            last4: "0001".into(),
            nonce: N,
            minutes: 10
        }]
    );
    assert_eq!(chat.state.flow.deadline(), Some(T0 + 600));
}

#[test]
fn turning_off_checks_the_balance_again_then_executes_once_with_the_flow_key() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::TurnOff)
        .send(Event::Confirm { nonce: N });
    assert_eq!(chat.last, vec![Effect::CheckStatus { phone: phone() }]);
    chat.status(clean(AccountState::Active));
    assert_eq!(chat.last, execute_turn_off());
    chat.send(executed_turn_off(ExecResult::Done));
    assert_eq!(chat.said(), vec![done(Closure::TurnOff)]);
    assert_eq!(chat.state.flow, Flow::Idle);
    assert_eq!(chat.executions(), 1);
}

#[test]
fn the_idempotency_key_is_the_nonce_and_the_action() {
    assert_eq!(key(Closure::TurnOff).as_str(), "41-turn_off");
    assert_eq!(key(Closure::Cancel).as_str(), "41-cancel");
}

#[test]
fn cancel_asks_a_second_time_before_anything_happens() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::Cancel)
        .send(Event::Confirm { nonce: N });
    assert_eq!(
        chat.said(),
        vec![Message::ConfirmAgain {
            last4: "0001".into(),
            nonce: N,
            minutes: 10
        }]
    );
    assert!(!chat.last.iter().any(|e| !matches!(e, Effect::Say(_))));
    chat.send(Event::ConfirmFinal { nonce: N });
    assert_eq!(chat.last, vec![Effect::CheckStatus { phone: phone() }]);
}

#[test]
fn a_double_tap_on_the_first_confirmation_does_not_count_as_the_second() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::Cancel)
        .send(Event::Confirm { nonce: N })
        .send(Event::Confirm { nonce: N });
    assert_eq!(chat.said(), vec![Message::ButtonExpired]);
    assert!(matches!(chat.state.flow, Flow::AwaitingFinalConfirm { .. }));
}

#[test]
fn a_loan_taken_before_the_final_check_blocks_the_action() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::TurnOff)
        .send(Event::Confirm { nonce: N })
        .status(owing(30_000, false));
    assert!(matches!(chat.said()[..], [Message::Blocked { .. }]));
    assert_eq!(chat.state.flow, Flow::Idle);
    assert_eq!(chat.executions(), 0);
}

#[test]
fn a_button_with_a_wrong_nonce_changes_nothing_and_says_it_expired() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::TurnOff);
    let before = chat.state.clone();
    for event in [
        Event::Confirm { nonce: OTHER },
        Event::Continue { nonce: OTHER },
        Event::Abort { nonce: Some(OTHER) },
        Event::Choose {
            action: Closure::Cancel,
            nonce: OTHER,
        },
    ] {
        chat.send(event);
        assert_eq!(chat.last, vec![Effect::Say(Message::ButtonExpired)]);
        assert_eq!(chat.state, before);
    }
}

#[test]
fn a_button_for_a_step_the_flow_is_not_at_says_it_expired() {
    let mut chat = Chat::new();
    chat.through_identity(Closure::Cancel, clean(AccountState::Active));
    let before = chat.state.clone();
    chat.send(Event::Confirm { nonce: N });
    assert_eq!(chat.said(), vec![Message::ButtonExpired]);
    chat.send(Event::ConfirmFinal { nonce: N });
    assert_eq!(chat.said(), vec![Message::ButtonExpired]);
    assert_eq!(chat.state, before);
}

#[test]
fn a_confirm_replayed_after_the_flow_finished_never_executes_again() {
    let mut chat = Chat::new();
    chat.reach_execution()
        .send(executed_turn_off(ExecResult::Done))
        .send(Event::Confirm { nonce: N });
    assert_eq!(chat.last, vec![Effect::Say(Message::ButtonExpired)]);
    assert_eq!(chat.executions(), 1);
}

#[test]
fn a_confirmation_pressed_after_the_deadline_expires_and_does_nothing() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::TurnOff)
        .wait(600)
        .send(Event::Confirm { nonce: N });
    assert_eq!(
        chat.last,
        vec![Effect::Say(Message::Expired { minutes: 10 })]
    );
    assert_eq!(chat.state.flow, Flow::Idle);
}

#[test]
fn a_confirmation_one_second_before_the_deadline_still_counts() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::TurnOff)
        .wait(599)
        .send(Event::Confirm { nonce: N });
    assert_eq!(chat.last, vec![Effect::CheckStatus { phone: phone() }]);
}

#[test]
fn the_confirmation_timeout_comes_from_the_config() {
    let mut chat = Chat::new();
    chat.config = Config {
        confirm_timeout_secs: 60,
    };
    chat.reach_confirmation(Closure::TurnOff)
        .wait(60)
        .send(Event::Tick);
    assert_eq!(
        chat.last,
        vec![Effect::Say(Message::Expired { minutes: 1 })]
    );
}

#[test]
fn a_tick_past_the_deadline_ends_the_flow_and_a_later_press_is_an_expired_button() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::Cancel)
        .send(Event::Confirm { nonce: N })
        .wait(601)
        .send(Event::Tick);
    assert_eq!(
        chat.last,
        vec![Effect::Say(Message::Expired { minutes: 10 })]
    );
    chat.send(Event::ConfirmFinal { nonce: N });
    assert_eq!(chat.last, vec![Effect::Say(Message::ButtonExpired)]);
    assert_eq!(chat.executions(), 0);
}

#[test]
fn a_new_request_after_expiry_starts_a_fresh_flow() {
    let mut chat = Chat::verified();
    chat.reach_confirmation(Closure::TurnOff)
        .wait(700)
        .send(Event::Start {
            action: Some(Closure::TurnOff),
            nonce: OTHER,
        });
    assert_eq!(
        chat.last,
        vec![
            Effect::Say(Message::Expired { minutes: 10 }),
            Effect::CheckStatus { phone: phone() }
        ]
    );
}

#[test]
fn abort_stops_the_flow_at_any_step_before_the_action_is_requested() {
    let steps: Vec<fn(&mut Chat)> = vec![
        |c| {
            c.send(start(None));
        },
        |c| {
            c.send(start(Some(Closure::Cancel)));
        },
        |c| {
            c.through_identity(Closure::Cancel, clean(AccountState::Active));
        },
        |c| {
            c.reach_confirmation(Closure::Cancel);
        },
        |c| {
            c.reach_confirmation(Closure::Cancel)
                .send(Event::Confirm { nonce: N });
        },
        |c| {
            c.reach_confirmation(Closure::TurnOff)
                .send(Event::Confirm { nonce: N });
        },
    ];
    for (i, to_step) in steps.into_iter().enumerate() {
        for abort in [
            Event::Abort { nonce: None },
            Event::Abort { nonce: Some(N) },
        ] {
            let mut chat = Chat::new();
            to_step(&mut chat);
            chat.send(abort);
            assert_eq!(chat.last, vec![Effect::Say(Message::Aborted)], "step {i}");
            assert_eq!(chat.state.flow, Flow::Idle, "step {i}");
        }
    }
}

#[test]
fn stop_with_no_flow_says_there_is_nothing_to_stop() {
    let mut chat = Chat::new();
    chat.send(Event::Abort { nonce: None });
    assert_eq!(chat.last, vec![Effect::Say(Message::NothingToStop)]);
}

#[test]
fn a_status_arriving_after_an_abort_is_ignored() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::TurnOff)
        .send(Event::Confirm { nonce: N })
        .send(Event::Abort { nonce: None })
        .status(clean(AccountState::Active));
    assert!(chat.last.is_empty());
    assert_eq!(chat.executions(), 0);
}

#[test]
fn once_the_action_is_requested_it_can_be_neither_stopped_nor_restarted() {
    let mut chat = Chat::new();
    chat.reach_execution();
    let executing = chat.state.clone();
    for event in [
        Event::Abort { nonce: None },
        Event::Start {
            action: Some(Closure::Cancel),
            nonce: OTHER,
        },
    ] {
        chat.send(event);
        assert_eq!(
            chat.said(),
            vec![Message::InProgress {
                action: Closure::TurnOff
            }]
        );
        assert_eq!(chat.state, executing);
    }
}

#[test]
fn a_question_mid_flow_reminds_and_shows_the_step_again_without_moving() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::Cancel).wait(120);
    let before = chat.state.clone();
    chat.send(Event::Question);
    assert_eq!(
        chat.said(),
        vec![
            Message::Reminder {
                action: Some(Closure::Cancel)
            },
            Message::Confirm {
                action: Closure::Cancel,
                last4: "0001".into(),
                nonce: N,
                minutes: 8
            }
        ]
    );
    assert_eq!(chat.state, before);
}

#[test]
fn a_question_with_no_flow_adds_nothing() {
    let mut chat = Chat::new();
    chat.send(Event::Question);
    assert!(chat.last.is_empty());
}

#[test]
fn asking_for_the_same_action_again_mid_flow_reminds_instead_of_restarting() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::TurnOff);
    let before = chat.state.clone();
    chat.send(Event::Start {
        action: Some(Closure::TurnOff),
        nonce: OTHER,
    });
    assert_eq!(chat.state, before);
    assert_eq!(
        chat.said()[0],
        Message::Reminder {
            action: Some(Closure::TurnOff)
        }
    );
}

#[test]
fn asking_for_the_other_action_mid_flow_restarts_and_expires_the_old_buttons() {
    let mut chat = Chat::verified();
    chat.reach_confirmation(Closure::TurnOff)
        .send(Event::Start {
            action: Some(Closure::Cancel),
            nonce: OTHER,
        });
    assert_eq!(
        chat.state.flow,
        Flow::CheckingStatus {
            action: Closure::Cancel,
            nonce: OTHER,
            phone: phone()
        }
    );
    chat.send(Event::Confirm { nonce: N });
    assert_eq!(chat.said(), vec![Message::ButtonExpired]);
}

#[test]
fn the_verified_identity_outlives_the_flow() {
    let mut chat = Chat::new();
    chat.through_identity(Closure::TurnOff, clean(AccountState::Active))
        .send(Event::Abort { nonce: None });
    assert_eq!(chat.state.verified, Some(phone()));
}

#[test]
fn a_failed_execution_is_told_and_offered_a_human() {
    let mut chat = Chat::new();
    chat.reach_execution()
        .send(executed_turn_off(ExecResult::Failed));
    assert_eq!(chat.last, failed_and_offered_a_human());
    assert_eq!(chat.state.flow, Flow::Idle);
}

#[test]
fn a_result_for_another_key_is_ignored() {
    let mut chat = Chat::new();
    chat.reach_execution();
    let before = chat.state.clone();
    chat.send(Event::Executed {
        key: IdempotencyKey::new(OTHER, Closure::TurnOff),
        result: ExecResult::Done,
    });
    assert!(chat.last.is_empty());
    assert_eq!(chat.state, before);
}

#[test]
fn a_restart_mid_execution_rechecks_then_retries_with_the_same_key() {
    let mut chat = Chat::new();
    chat.reach_execution();
    let persisted = serde_json::to_string(&chat.state).unwrap();
    chat.state = serde_json::from_str(&persisted).unwrap();
    assert!(chat.state.flow.awaits_result());
    chat.send(Event::Resume);
    assert_eq!(chat.last, vec![Effect::CheckStatus { phone: phone() }]);
    chat.status(clean(AccountState::BorrowingOff));
    assert_eq!(chat.last, execute_turn_off());
    chat.send(executed_turn_off(ExecResult::AlreadyDone));
    assert_eq!(chat.said(), vec![done(Closure::TurnOff)]);
}

#[test]
fn a_restart_mid_execution_with_a_new_loan_does_not_retry() {
    let mut chat = Chat::new();
    chat.reach_execution()
        .send(Event::Resume)
        .status(owing(100, false));
    assert!(matches!(chat.said()[..], [Message::Blocked { .. }]));
    assert_eq!(chat.executions(), 1);
}

#[test]
fn resume_re_asks_a_pending_look_up_and_does_nothing_when_idle() {
    let mut chat = Chat::new();
    chat.send(Event::Resume);
    assert!(chat.last.is_empty());
    chat.send(start(Some(Closure::TurnOff)))
        .send(own_contact())
        .send(Event::Resume);
    assert_eq!(chat.last, vec![Effect::LookUp { phone: phone() }]);
}

#[test]
fn a_service_failure_during_a_check_ends_the_flow_and_offers_a_human() {
    let mut chat = Chat::verified();
    chat.send(start(Some(Closure::Cancel)))
        .send(Event::ServiceFailed);
    assert_eq!(chat.last, failed_and_offered_a_human());
    assert_eq!(chat.state.flow, Flow::Idle);
}

#[test]
fn a_contact_nobody_asked_for_links_nothing() {
    let mut chat = Chat::new();
    chat.send(own_contact());
    assert_eq!(chat.last, vec![Effect::Say(Message::ContactNotNeeded)]);
    assert_eq!(chat.state, State::default());
}

#[test]
fn the_state_round_trips_through_json_in_every_step() {
    let mut chat = Chat::new();
    chat.reach_confirmation(Closure::Cancel)
        .send(Event::Confirm { nonce: N });
    let json = serde_json::to_string(&chat.state).unwrap();
    assert!(
        json.contains("\"step\":\"awaiting_final_confirm\""),
        "{json}"
    );
    let back: State = serde_json::from_str(&json).unwrap();
    assert_eq!(back, chat.state);
}

#[test]
fn every_message_names_a_listed_text_key_and_every_button_a_listed_label() {
    let messages = [
        Message::ChooseAction { nonce: N },
        Message::AskIdentity {
            action: Closure::Cancel,
            nonce: N,
        },
        Message::Blocked {
            outstanding: Money::ZERO,
            overdue: true,
        },
        Message::Precautions {
            action: Closure::Cancel,
            nonce: N,
        },
        Message::Confirm {
            action: Closure::TurnOff,
            last4: "0001".into(),
            nonce: N,
            minutes: 1,
        },
        Message::ConfirmAgain {
            last4: "0001".into(),
            nonce: N,
            minutes: 1,
        },
        Message::Reminder { action: None },
        Message::InProgress {
            action: Closure::Cancel,
        },
    ];
    for m in &messages {
        assert!(TEXT_KEYS.contains(&m.key()), "{}", m.key());
        for b in m.buttons() {
            assert!(
                TEXT_KEYS.contains(&m.button_label(b)),
                "{}",
                m.button_label(b)
            );
            assert_eq!(Event::from(b).button_nonce(), Some(N));
        }
    }
    assert!(TEXT_KEYS.contains(&SHARE_CONTACT_KEY));
}
