//! The transition function: a state and an event in, the next state and the
//! effects for the engine out. Pure: the clock comes in as `now`, the
//! randomness as the nonce of `Event::Start`.

use super::config::{minutes_rounded_up, Config};
use super::effect::{AgentReason, Effect};
use super::event::{Event, ExecResult};
use super::key::{IdempotencyKey, Nonce};
use super::message::Message;
use super::state::{Flow, State};
use super::verdict::{judge, judge_resumed, Verdict};
use crate::accounts::{AccountStatus, Closure, Phone};

/// Applies `event`, received at unix second `now`, to a chat's `state`.
///
/// A pending confirmation whose deadline has passed expires first, whatever
/// the event: the customer is told, and a press of that flow's buttons does
/// nothing more. A `Start` while a flow runs restarts it with the new nonce
/// when it asks for the other action (the old buttons expire) and otherwise
/// reminds where the flow stands; once the action has been requested, the
/// flow can be neither restarted nor stopped.
pub fn step(state: State, event: Event, now: i64, config: &Config) -> (State, Vec<Effect>) {
    let mut turn = Turn {
        verified: state.verified,
        effects: Vec::new(),
        now,
        config,
    };
    let mut flow = state.flow;
    if flow.deadline().is_some_and(|deadline| now >= deadline) {
        let expired = flow.nonce();
        flow = Flow::Idle;
        turn.say(Message::Expired {
            minutes: config.timeout_minutes(),
        });
        let about_expired_flow = matches!(event, Event::Tick | Event::Abort { nonce: None })
            || (event.button_nonce().is_some() && event.button_nonce() == expired);
        if about_expired_flow {
            return turn.finish(flow);
        }
    }
    let flow = turn.handle(flow, event);
    turn.finish(flow)
}

/// One step's working data: the chat's identity and the effects so far.
struct Turn<'a> {
    verified: Option<Phone>,
    effects: Vec<Effect>,
    now: i64,
    config: &'a Config,
}

impl Turn<'_> {
    fn finish(self, flow: Flow) -> (State, Vec<Effect>) {
        let state = State {
            verified: self.verified,
            flow,
        };
        (state, self.effects)
    }

    fn say(&mut self, message: Message) {
        self.effects.push(Effect::Say(message));
    }

    fn handle(&mut self, flow: Flow, event: Event) -> Flow {
        match event {
            Event::Start { action, nonce } => self.start(flow, action, nonce),
            Event::Choose { action, nonce } => match flow {
                Flow::Choosing { nonce: n } if n == nonce => self.begin(action, nonce),
                other => self.button_expired(other),
            },
            Event::Contact { phone, own } => self.contact(flow, phone, own),
            Event::AccountFound { phone } => match flow {
                Flow::LookingUp {
                    action,
                    nonce,
                    phone: p,
                } if p == phone => {
                    self.say(Message::Verified {
                        last4: phone.last4().to_string(),
                    });
                    self.verified = Some(phone.clone());
                    self.check_status(action, nonce, phone)
                }
                other => other,
            },
            Event::AccountNotFound { phone } => match flow {
                Flow::LookingUp { phone: p, .. } if p == phone => {
                    self.say(Message::UnknownPhone { phone });
                    self.offer_agent(AgentReason::UnknownPhone);
                    Flow::Idle
                }
                other => other,
            },
            Event::Status { phone, status } => self.status(flow, phone, &status),
            Event::ServiceFailed => match flow {
                Flow::LookingUp { .. }
                | Flow::CheckingStatus { .. }
                | Flow::Rechecking { .. }
                | Flow::Resuming { .. } => self.failed(),
                other => other,
            },
            Event::Continue { nonce } => match flow {
                Flow::Precautions {
                    action,
                    nonce: n,
                    phone,
                } if n == nonce => self.ask_confirm(action, nonce, phone),
                other => self.button_expired(other),
            },
            Event::Confirm { nonce } => match flow {
                Flow::AwaitingConfirm {
                    action: Closure::Cancel,
                    nonce: n,
                    phone,
                    ..
                } if n == nonce => self.ask_confirm_again(nonce, phone),
                Flow::AwaitingConfirm {
                    action: Closure::TurnOff,
                    nonce: n,
                    phone,
                    ..
                } if n == nonce => self.recheck(Closure::TurnOff, nonce, phone),
                other => self.button_expired(other),
            },
            Event::ConfirmFinal { nonce } => match flow {
                Flow::AwaitingFinalConfirm {
                    nonce: n, phone, ..
                } if n == nonce => self.recheck(Closure::Cancel, nonce, phone),
                other => self.button_expired(other),
            },
            Event::Abort { nonce } => self.abort(flow, nonce),
            Event::Executed { key, result } => match flow {
                Flow::Executing {
                    action,
                    phone,
                    key: k,
                    ..
                }
                | Flow::Resuming {
                    action,
                    phone,
                    key: k,
                    ..
                } if k == key => match result {
                    ExecResult::Done | ExecResult::AlreadyDone => {
                        self.say(Message::Done {
                            action,
                            last4: phone.last4().to_string(),
                        });
                        Flow::Idle
                    }
                    ExecResult::Failed => self.failed(),
                },
                other => other,
            },
            Event::Tick => flow,
            Event::Question => {
                self.remind(&flow);
                flow
            }
            Event::Resume => self.resume(flow),
        }
    }

    fn start(&mut self, flow: Flow, action: Option<Closure>, nonce: Nonce) -> Flow {
        if let (true, Some(running)) = (flow.is_committed(), flow.action()) {
            self.say(Message::InProgress { action: running });
            return flow;
        }
        let same = action.is_none() || action == flow.action();
        if flow != Flow::Idle && same {
            self.remind(&flow);
            return flow;
        }
        match action {
            Some(action) => self.begin(action, nonce),
            None => {
                self.say(Message::ChooseAction { nonce });
                Flow::Choosing { nonce }
            }
        }
    }

    /// The first step once the action is known: identity, unless verified.
    fn begin(&mut self, action: Closure, nonce: Nonce) -> Flow {
        match self.verified.clone() {
            Some(phone) => self.check_status(action, nonce, phone),
            None => {
                self.say(Message::AskIdentity { action, nonce });
                Flow::AwaitingIdentity { action, nonce }
            }
        }
    }

    fn contact(&mut self, flow: Flow, phone: Phone, own: bool) -> Flow {
        if !own {
            self.say(Message::ContactRefused);
            return flow;
        }
        match flow {
            Flow::AwaitingIdentity { action, nonce } => {
                self.effects.push(Effect::LookUp {
                    phone: phone.clone(),
                });
                Flow::LookingUp {
                    action,
                    nonce,
                    phone,
                }
            }
            other => {
                self.say(Message::ContactNotNeeded);
                other
            }
        }
    }

    fn check_status(&mut self, action: Closure, nonce: Nonce, phone: Phone) -> Flow {
        self.effects.push(Effect::CheckStatus {
            phone: phone.clone(),
        });
        Flow::CheckingStatus {
            action,
            nonce,
            phone,
        }
    }

    fn status(&mut self, flow: Flow, phone: Phone, status: &AccountStatus) -> Flow {
        match flow {
            Flow::CheckingStatus {
                action,
                nonce,
                phone: p,
            } if p == phone => match judge(action, status) {
                Verdict::Ready => {
                    self.say(Message::Precautions { action, nonce });
                    Flow::Precautions {
                        action,
                        nonce,
                        phone,
                    }
                }
                refusal => self.refuse(refusal),
            },
            Flow::Rechecking {
                action,
                nonce,
                phone: p,
            } if p == phone => match judge(action, status) {
                Verdict::Ready => {
                    let key = IdempotencyKey::new(nonce, action);
                    self.execute(action, nonce, phone, key)
                }
                refusal => self.refuse(refusal),
            },
            Flow::Resuming {
                action,
                nonce,
                phone: p,
                key,
            } if p == phone => match judge_resumed(action, status) {
                Verdict::Ready => self.execute(action, nonce, phone, key),
                refusal => self.refuse(refusal),
            },
            other => other,
        }
    }

    fn ask_confirm(&mut self, action: Closure, nonce: Nonce, phone: Phone) -> Flow {
        let flow = Flow::AwaitingConfirm {
            action,
            nonce,
            phone,
            deadline: self.now + self.config.confirm_timeout_secs,
        };
        self.prompt(&flow);
        flow
    }

    fn ask_confirm_again(&mut self, nonce: Nonce, phone: Phone) -> Flow {
        let flow = Flow::AwaitingFinalConfirm {
            nonce,
            phone,
            deadline: self.now + self.config.confirm_timeout_secs,
        };
        self.prompt(&flow);
        flow
    }

    fn recheck(&mut self, action: Closure, nonce: Nonce, phone: Phone) -> Flow {
        self.effects.push(Effect::CheckStatus {
            phone: phone.clone(),
        });
        Flow::Rechecking {
            action,
            nonce,
            phone,
        }
    }

    fn execute(
        &mut self,
        action: Closure,
        nonce: Nonce,
        phone: Phone,
        key: IdempotencyKey,
    ) -> Flow {
        self.effects.push(Effect::Execute {
            action,
            phone: phone.clone(),
            key: key.clone(),
        });
        Flow::Executing {
            action,
            nonce,
            phone,
            key,
        }
    }

    fn refuse(&mut self, verdict: Verdict) -> Flow {
        match verdict {
            Verdict::Ready => {}
            Verdict::Blocked {
                outstanding,
                overdue,
            } => {
                self.say(Message::Blocked {
                    outstanding,
                    overdue,
                });
                self.offer_agent(AgentReason::Blocked);
            }
            Verdict::AlreadyOff => self.say(Message::AlreadyOff),
            Verdict::AlreadyCancelled => self.say(Message::AlreadyCancelled),
        }
        Flow::Idle
    }

    fn abort(&mut self, flow: Flow, nonce: Option<Nonce>) -> Flow {
        if nonce.is_some() && nonce != flow.nonce() {
            return self.button_expired(flow);
        }
        match (&flow, flow.action()) {
            (Flow::Idle, _) => {
                self.say(Message::NothingToStop);
                flow
            }
            (f, Some(action)) if f.is_committed() => {
                self.say(Message::InProgress { action });
                flow
            }
            _ => {
                self.say(Message::Aborted);
                Flow::Idle
            }
        }
    }

    /// Re-asks for the effect an interrupted step was waiting on. An
    /// interrupted execution checks the balance again first.
    fn resume(&mut self, flow: Flow) -> Flow {
        match flow {
            Flow::LookingUp { ref phone, .. } => {
                self.effects.push(Effect::LookUp {
                    phone: phone.clone(),
                });
                flow
            }
            Flow::CheckingStatus { ref phone, .. }
            | Flow::Rechecking { ref phone, .. }
            | Flow::Resuming { ref phone, .. } => {
                self.effects.push(Effect::CheckStatus {
                    phone: phone.clone(),
                });
                flow
            }
            Flow::Executing {
                action,
                nonce,
                phone,
                key,
            } => {
                self.effects.push(Effect::CheckStatus {
                    phone: phone.clone(),
                });
                Flow::Resuming {
                    action,
                    nonce,
                    phone,
                    key,
                }
            }
            other => other,
        }
    }

    /// Says where the flow stands and shows the current step's prompt again.
    fn remind(&mut self, flow: &Flow) {
        match (flow.is_committed(), flow.action()) {
            (true, Some(action)) => self.say(Message::InProgress { action }),
            _ if *flow == Flow::Idle => {}
            (_, action) => {
                self.say(Message::Reminder { action });
                self.prompt(flow);
            }
        }
    }

    /// The prompt of a step that waits for the customer; none for the others.
    fn prompt(&mut self, flow: &Flow) {
        let message = match flow {
            Flow::Choosing { nonce } => Message::ChooseAction { nonce: *nonce },
            Flow::AwaitingIdentity { action, nonce } => Message::AskIdentity {
                action: *action,
                nonce: *nonce,
            },
            Flow::Precautions { action, nonce, .. } => Message::Precautions {
                action: *action,
                nonce: *nonce,
            },
            Flow::AwaitingConfirm {
                action,
                nonce,
                phone,
                deadline,
            } => Message::Confirm {
                action: *action,
                last4: phone.last4().to_string(),
                nonce: *nonce,
                minutes: self.minutes_until(*deadline),
            },
            Flow::AwaitingFinalConfirm {
                nonce,
                phone,
                deadline,
            } => Message::ConfirmAgain {
                last4: phone.last4().to_string(),
                nonce: *nonce,
                minutes: self.minutes_until(*deadline),
            },
            _ => return,
        };
        self.say(message);
    }

    /// Whole minutes left until `deadline`, rounded up.
    fn minutes_until(&self, deadline: i64) -> u32 {
        minutes_rounded_up(deadline - self.now)
    }

    fn failed(&mut self) -> Flow {
        self.say(Message::Failed);
        self.offer_agent(AgentReason::Failed);
        Flow::Idle
    }

    fn offer_agent(&mut self, reason: AgentReason) {
        self.effects.push(Effect::OfferAgent { reason });
    }

    fn button_expired(&mut self, flow: Flow) -> Flow {
        self.say(Message::ButtonExpired);
        flow
    }
}
