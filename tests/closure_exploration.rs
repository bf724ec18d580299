//! Exhaustive exploration of the closure machine: every sequence of up to
//! `DEPTH` events from an idle chat, against an account system that answers
//! each effect in every realistic way (including a loan appearing just
//! before a check, failures, and the bot stopping before a result arrives).
//!
//! An oracle follows each path and checks, at every effect:
//! - nothing is looked up but the chat's own contact, and statuses are only
//!   read for a verified phone;
//! - `Execute` only for a chat that shared its own contact and whose account
//!   was found; the last status seen shows nothing owed, nothing overdue and
//!   an account the action applies to; that status was read after the last
//!   confirmation; the flow showed its precautions and its confirmation(s)
//!   (one for turn-off, two for cancel) were pressed with the flow's nonce
//!   before their deadline; the customer neither stopped nor switched
//!   actions since; the key is the flow's and was never finished, and is
//!   only asked for again after a restart and a fresh status check;
//! - a button with a wrong nonce changes nothing (beyond expiry) and says so;
//! - every button shown carries the nonce of the flow the chat is in;
//! - at most one effect per step waits for an answer;
//! - the account system never acts on an account that owes money or for the
//!   same flow twice, and every state survives a JSON round trip.
//!
//! The search is breadth first over nodes (machine state, world, oracle),
//! deduplicated exactly: each distinct node is expanded once, at the least
//! depth it is reached at, so every transition of every sequence up to the
//! depth is checked, and the oracle holds all the history its checks depend
//! on. Clock and nonces are renumbered first (`canonical`), since the
//! machine only compares them. Sequences are then counted over the graph.
//! A move is one event (a customer action, a button, a contact, time
//! passing, a duplicated result, a loan taken or repaid); answers to the
//! effects it causes are branches within the move. `EXPLORE_DEPTH=n`
//! overrides the depth when measuring.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use jiebei_bot::accounts::{AccountState, AccountStatus, Closure, Money, Phone};
use jiebei_bot::closure::{
    step, Config, Effect, Event, ExecResult, Flow, IdempotencyKey, Message, Nonce, State,
};

/// Events per explored sequence.
const DEPTH: u8 = 8;
const TIMEOUT: i64 = 600;
const T0: i64 = 1_700_000_000;
/// A nonce no flow ever had: forged callback data.
const FORGED: Nonce = Nonce(9_999);
const LOAN_CENTS: i64 = 50_000;

/// The customer's own phone, which has an account.
static KNOWN: LazyLock<Phone> = LazyLock::new(|| Phone::parse("+8613800000001").unwrap());
/// The customer's own phone, which has none.
static UNKNOWN: LazyLock<Phone> = LazyLock::new(|| Phone::parse("+8613800000002").unwrap());
/// Someone else's phone.
static STRANGER: LazyLock<Phone> = LazyLock::new(|| Phone::parse("+8613800000003").unwrap());

fn known() -> Phone {
    KNOWN.clone()
}
fn unknown() -> Phone {
    UNKNOWN.clone()
}
fn stranger() -> Phone {
    STRANGER.clone()
}

/// One bit per phone of the model, to keep the oracle's sets small.
fn phone_bit(phone: &Phone) -> u8 {
    [&*KNOWN, &*UNKNOWN, &*STRANGER]
        .iter()
        .position(|p| *p == phone)
        .map_or(0x80, |i| 1 << i)
}

/// The account system: the one account (of `known()`) and the keys it acted on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Ledger {
    state: AccountState,
    cents: i64,
    overdue: bool,
    applied: BTreeSet<IdempotencyKey>,
}

impl Ledger {
    fn status(&self) -> AccountStatus {
        AccountStatus {
            state: self.state,
            outstanding: Money::from_cents(self.cents),
            overdue: self.overdue,
        }
    }
}

/// Everything outside the machine: the clock, the nonces the caller hands
/// out, what the customer sees on screen, the account system.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Env {
    now: i64,
    next_nonce: u32,
    /// Nonce of the latest prompt shown, and of the one before it.
    shown: Option<Nonce>,
    older: Option<Nonce>,
    ledger: Ledger,
}

impl Env {
    fn see(&mut self, effect: &Effect) {
        if let Effect::Say(message) = effect {
            if let Some(nonce) = prompt_nonce(message) {
                if self.shown != Some(nonce) {
                    self.older = self.shown;
                    self.shown = Some(nonce);
                }
            }
        }
    }

    /// Nonces a customer can press buttons with: the live one, an older one,
    /// a forged one.
    fn nonces(&self) -> Vec<Nonce> {
        let mut out: Vec<Nonce> = [self.shown, self.older].into_iter().flatten().collect();
        out.push(FORGED);
        out
    }
}

fn prompt_nonce(message: &Message) -> Option<Nonce> {
    match message {
        Message::ChooseAction { nonce }
        | Message::AskIdentity { nonce, .. }
        | Message::Precautions { nonce, .. }
        | Message::Confirm { nonce, .. }
        | Message::ConfirmAgain { nonce, .. } => Some(*nonce),
        _ => None,
    }
}

fn ready(action: Closure, state: AccountState) -> bool {
    match action {
        Closure::TurnOff => state == AccountState::Active,
        Closure::Cancel => state != AccountState::Cancelled,
    }
}

fn in_effect(action: Closure, state: AccountState) -> bool {
    match action {
        Closure::TurnOff => state == AccountState::BorrowingOff,
        Closure::Cancel => state == AccountState::Cancelled,
    }
}

/// What the customer has seen and done in the flow whose prompts are on screen.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FlowRecord {
    nonce: Nonce,
    action: Option<Closure>,
    precautions: bool,
    confirm_shown: Option<i64>,
    confirmed: bool,
    final_shown: Option<i64>,
    final_confirmed: bool,
    /// Ended, or withdrawn by the customer before the action was requested.
    ended: bool,
}

impl FlowRecord {
    fn new(nonce: Nonce) -> FlowRecord {
        FlowRecord {
            nonce,
            action: None,
            precautions: false,
            confirm_shown: None,
            confirmed: false,
            final_shown: None,
            final_confirmed: false,
            ended: false,
        }
    }

    fn key(&self) -> Option<IdempotencyKey> {
        self.action.map(|a| IdempotencyKey::new(self.nonce, a))
    }
}

/// The history the safety checks depend on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
struct Oracle {
    /// Phones (as `phone_bit`s) shared as the chat's own contact.
    own_shared: u8,
    /// Phones (as `phone_bit`s) the account system reported found.
    found: u8,
    last_status: Option<(AccountState, i64, bool)>,
    /// A status was read since the last confirmation press and the last Execute.
    status_fresh: bool,
    /// A restart (Resume) happened since the last Execute.
    resumed: bool,
    flow: Option<FlowRecord>,
    requested: BTreeSet<(Nonce, &'static str)>,
    /// Keys Execute was emitted with, and whether their result arrived.
    keys: BTreeMap<IdempotencyKey, bool>,
}

type Check = Result<(), String>;

fn ensure(ok: bool, what: impl FnOnce() -> String) -> Check {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

impl Oracle {
    fn verified(&self, phone: &Phone) -> bool {
        let bit = phone_bit(phone);
        self.own_shared & bit != 0 && self.found & bit != 0
    }

    /// Whether the record's action has already been requested.
    fn committed(&self, r: &FlowRecord) -> bool {
        r.key().is_some_and(|k| self.keys.contains_key(&k))
    }

    fn before(&mut self, event: &Event, now: i64) {
        match event {
            Event::Start {
                action: Some(a),
                nonce,
            } => {
                // Asking for the other action withdraws one not yet requested.
                self.requested.insert((*nonce, a.as_str()));
                let switch = self.flow.as_ref().is_some_and(|r| {
                    !r.ended && r.action.is_some_and(|x| x != *a) && !self.committed(r)
                });
                if switch {
                    self.flow.as_mut().unwrap().ended = true;
                }
            }
            Event::Choose { action, nonce } => {
                self.requested.insert((*nonce, action.as_str()));
            }
            Event::Contact { phone, own: true } => {
                self.own_shared |= phone_bit(phone);
            }
            Event::AccountFound { phone } => {
                self.found |= phone_bit(phone);
            }
            Event::Status { phone, status } if *phone == *KNOWN => {
                self.last_status = Some((status.state, status.outstanding.cents(), status.overdue));
                self.status_fresh = true;
            }
            Event::Confirm { nonce } => {
                if let Some(r) = self.flow.as_mut() {
                    if r.nonce == *nonce && !r.ended && !r.confirmed {
                        if let Some(shown) = r.confirm_shown {
                            if now < shown + TIMEOUT {
                                r.confirmed = true;
                                self.status_fresh = false;
                            }
                        }
                    }
                }
            }
            Event::ConfirmFinal { nonce } => {
                if let Some(r) = self.flow.as_mut() {
                    if r.nonce == *nonce && !r.ended && r.confirmed && !r.final_confirmed {
                        if let Some(shown) = r.final_shown {
                            if now < shown + TIMEOUT {
                                r.final_confirmed = true;
                                self.status_fresh = false;
                            }
                        }
                    }
                }
            }
            Event::Abort { nonce } => {
                let stops = self.flow.as_ref().is_some_and(|r| {
                    !r.ended && nonce.is_none_or(|n| n == r.nonce) && !self.committed(r)
                });
                if stops {
                    self.flow.as_mut().unwrap().ended = true;
                }
            }
            Event::Executed { key, .. } => {
                if let Some(finished) = self.keys.get_mut(key) {
                    *finished = true;
                }
            }
            Event::Resume => self.resumed = true,
            _ => {}
        }
    }

    fn after(&mut self, effect: &Effect, now: i64) -> Check {
        match effect {
            Effect::Say(message) => self.said(message, now),
            Effect::LookUp { phone } => ensure(self.own_shared & phone_bit(phone) != 0, || {
                format!("looked up {phone:?}, which the chat never shared as its own")
            }),
            Effect::CheckStatus { phone } => ensure(self.verified(phone), || {
                format!("read the status of unverified {phone:?}")
            }),
            Effect::Execute { action, phone, key } => self.execute(*action, phone, key),
            Effect::OfferAgent { .. } => Ok(()),
        }
    }

    fn said(&mut self, message: &Message, now: i64) -> Check {
        if let Some(nonce) = prompt_nonce(message) {
            if self.flow.as_ref().is_none_or(|r| r.nonce != nonce) {
                self.flow = Some(FlowRecord::new(nonce));
            }
        }
        let record = self.flow.as_mut();
        match (message, record) {
            (Message::AskIdentity { action, .. }, Some(r))
            | (Message::Precautions { action, .. }, Some(r))
            | (Message::Confirm { action, .. }, Some(r)) => {
                ensure(!r.ended, || format!("{message:?} for an ended flow"))?;
                ensure(r.action.is_none_or(|a| a == *action), || {
                    format!("{message:?} switches the flow's action")
                })?;
                r.action = Some(*action);
                match message {
                    Message::Precautions { .. } => r.precautions = true,
                    Message::Confirm { last4, .. } => {
                        ensure(r.precautions, || "confirmation before precautions".into())?;
                        ensure(last4 == KNOWN.last4(), || {
                            "confirm names another account".into()
                        })?;
                        r.confirm_shown.get_or_insert(now);
                    }
                    _ => {}
                }
                Ok(())
            }
            (Message::ConfirmAgain { .. }, Some(r)) => {
                ensure(!r.ended, || "second confirmation for an ended flow".into())?;
                ensure(r.action == Some(Closure::Cancel) && r.confirmed, || {
                    "second confirmation asked without a first one for cancel".into()
                })?;
                r.final_shown.get_or_insert(now);
                Ok(())
            }
            (
                Message::Done { .. }
                | Message::Aborted
                | Message::Expired { .. }
                | Message::Blocked { .. }
                | Message::AlreadyOff
                | Message::AlreadyCancelled
                | Message::UnknownPhone { .. }
                | Message::Failed,
                Some(r),
            ) => {
                r.ended = true;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn execute(&mut self, action: Closure, phone: &Phone, key: &IdempotencyKey) -> Check {
        ensure(self.verified(phone), || {
            format!("executed for {phone:?}, not verified with its own contact")
        })?;
        let reissue = self.keys.contains_key(key);
        let (state, cents, overdue) = self
            .last_status
            .ok_or_else(|| "executed without ever reading a status".to_string())?;
        ensure(cents == 0 && !overdue, || {
            format!("executed with {cents} cents outstanding (overdue: {overdue})")
        })?;
        ensure(
            ready(action, state) || (reissue && in_effect(action, state)),
            || format!("executed {action:?} on an account that is {state:?}"),
        )?;
        ensure(self.status_fresh, || {
            "executed without reading the status after the last confirmation".into()
        })?;
        ensure(!reissue || self.resumed, || {
            format!("asked for {key} again without a restart")
        })?;
        ensure(!self.keys.get(key).copied().unwrap_or(false), || {
            format!("asked for {key} again after its result arrived")
        })?;
        let r = self
            .flow
            .as_ref()
            .ok_or_else(|| "executed without any flow on screen".to_string())?;
        ensure(!r.ended, || {
            "executed a stopped, switched or ended flow".into()
        })?;
        ensure(r.action == Some(action), || {
            "executed another action than the one confirmed".into()
        })?;
        ensure(r.key().as_ref() == Some(key), || {
            format!("executed under {key}, not the flow's key")
        })?;
        ensure(self.requested.contains(&(r.nonce, action.as_str())), || {
            "executed an action the customer never asked for in this flow".into()
        })?;
        ensure(r.precautions && r.confirmed, || {
            "executed without precautions and a timely confirmation".into()
        })?;
        ensure(action == Closure::TurnOff || r.final_confirmed, || {
            "cancelled without a timely second confirmation".into()
        })?;
        self.keys.insert(key.clone(), false);
        self.status_fresh = false;
        self.resumed = false;
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Node {
    state: State,
    env: Env,
    oracle: Oracle,
}

/// What happens next: an event for the machine, or a change in the world.
#[derive(Debug, Clone)]
enum Move {
    Send(Event),
    /// Time passes, then the machine gets a `Tick`.
    Wait(i64),
    LoanTaken,
    Repaid,
}

fn moves(env: &Env) -> Vec<Move> {
    let mut out = Vec::new();
    let send = |e: Event| Move::Send(e);
    let fresh = Nonce(env.next_nonce);
    for action in [Some(Closure::TurnOff), Some(Closure::Cancel), None] {
        out.push(send(Event::Start {
            action,
            nonce: fresh,
        }));
    }
    for nonce in env.nonces() {
        for action in [Closure::TurnOff, Closure::Cancel] {
            out.push(send(Event::Choose { action, nonce }));
        }
        out.push(send(Event::Continue { nonce }));
        out.push(send(Event::Confirm { nonce }));
        out.push(send(Event::ConfirmFinal { nonce }));
        out.push(send(Event::Abort { nonce: Some(nonce) }));
    }
    out.push(send(Event::Abort { nonce: None }));
    for (phone, own) in [
        (known(), true),
        (unknown(), true),
        (stranger(), false),
        (known(), false),
    ] {
        out.push(send(Event::Contact { phone, own }));
    }
    out.push(Move::Wait(1));
    out.push(Move::Wait(TIMEOUT - 1));
    out.push(send(Event::Question));
    out.push(send(Event::Resume));
    out.push(Move::LoanTaken);
    out.push(Move::Repaid);
    // Duplicated or late deliveries of real results.
    out.push(send(Event::AccountFound { phone: known() }));
    out.push(send(Event::AccountNotFound { phone: unknown() }));
    out.push(send(Event::Status {
        phone: known(),
        status: env.ledger.status(),
    }));
    out.push(send(Event::Status {
        phone: stranger(),
        status: AccountStatus {
            state: AccountState::Active,
            outstanding: Money::ZERO,
            overdue: false,
        },
    }));
    out.push(send(Event::ServiceFailed));
    if let Some(nonce) = env.shown {
        for action in [Closure::TurnOff, Closure::Cancel] {
            let key = IdempotencyKey::new(nonce, action);
            let result = if env.ledger.applied.contains(&key) {
                ExecResult::AlreadyDone
            } else {
                ExecResult::Failed
            };
            out.push(send(Event::Executed { key, result }));
        }
    }
    out
}

/// Every way the account system (and a crash) can answer an effect: the new
/// world and the event fed back, if any.
/// One way an effect can be answered: the world after it, the event fed
/// back (none when the bot stopped first), and a label for reports.
type Answer = (Env, Option<Event>, &'static str);

fn answers(env: &Env, effect: &Effect) -> Result<Vec<Answer>, String> {
    let mut out = Vec::new();
    match effect {
        Effect::LookUp { phone } => {
            let found = if *phone == *KNOWN {
                Event::AccountFound {
                    phone: phone.clone(),
                }
            } else {
                Event::AccountNotFound {
                    phone: phone.clone(),
                }
            };
            out.push((env.clone(), Some(found), "answered"));
            out.push((env.clone(), Some(Event::ServiceFailed), "service failed"));
            out.push((env.clone(), None, "bot stopped"));
        }
        Effect::CheckStatus { phone } => {
            let status = |env: &Env| Event::Status {
                phone: phone.clone(),
                status: env.ledger.status(),
            };
            out.push((env.clone(), Some(status(env)), "status"));
            if env.ledger.state == AccountState::Active {
                let mut loaned = env.clone();
                loaned.ledger.cents += LOAN_CENTS;
                out.push((loaned.clone(), Some(status(&loaned)), "loan taken, status"));
            }
            out.push((env.clone(), Some(Event::ServiceFailed), "service failed"));
            out.push((env.clone(), None, "bot stopped"));
        }
        Effect::Execute { action, key, .. } => {
            let result = |r| {
                Some(Event::Executed {
                    key: key.clone(),
                    result: r,
                })
            };
            if env.ledger.applied.contains(key) {
                out.push((env.clone(), result(ExecResult::AlreadyDone), "already done"));
                out.push((env.clone(), None, "bot stopped"));
            } else {
                let l = &env.ledger;
                ensure(
                    l.cents == 0 && !l.overdue && ready(*action, l.state),
                    || format!("the account system acted on {l:?}"),
                )?;
                let nonce_of =
                    |k: &IdempotencyKey| k.as_str().split('-').next().unwrap().to_string();
                ensure(
                    !l.applied.iter().any(|k| nonce_of(k) == nonce_of(key)),
                    || format!("the account system acted twice for the flow of {key}"),
                )?;
                let mut acted = env.clone();
                acted.ledger.applied.insert(key.clone());
                acted.ledger.state = match action {
                    Closure::TurnOff => AccountState::BorrowingOff,
                    Closure::Cancel => AccountState::Cancelled,
                };
                out.push((acted.clone(), result(ExecResult::Done), "done"));
                out.push((acted.clone(), result(ExecResult::Failed), "done, timed out"));
                out.push((acted, None, "done, bot stopped"));
                out.push((env.clone(), result(ExecResult::Failed), "failed"));
                out.push((env.clone(), None, "bot stopped before acting"));
            }
        }
        Effect::Say(_) | Effect::OfferAgent { .. } => {}
    }
    Ok(out)
}

/// A fast, non-cryptographic hasher (the Fx multiply-rotate): SipHash
/// dominated the run time. Equality is still checked on every hit.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<Fx>>;

/// The explored graph: every distinct node once, with its edges, so the
/// sequences through it can be counted afterwards.
struct Explorer {
    config: Config,
    /// Every node seen, exactly (no fingerprints, so no collisions).
    index: FastMap<Node, u32>,
    /// Per node: its children (one entry per transition), how it was first
    /// reached (parent and move), for counting and for failure reports.
    children: Vec<Vec<u32>>,
    parent: Vec<Option<(u32, String)>>,
    machine_states: FastSet<State>,
    transitions: u64,
    executes: u64,
}

impl Explorer {
    /// Breadth first, so each distinct node is expanded once, at the least
    /// depth it is reachable at: every sequence of `depth` moves is made of
    /// transitions that were all checked. Returns how many there are.
    fn run(&mut self, roots: Vec<Node>, depth: u8) -> u128 {
        let mut frontier: Vec<(u32, Node)> = Vec::new();
        let mut root_ids = Vec::new();
        for root in roots {
            let (id, new) = self.intern(&root, None);
            root_ids.push(id);
            if new {
                frontier.push((id, root));
            }
        }
        for _ in 0..depth {
            let mut next = Vec::new();
            for (id, node) in frontier {
                self.expand(id, &node, &mut next);
            }
            frontier = next;
        }
        // walks[v] = sequences of r moves from v, for r = 0..=depth.
        let mut walks = vec![1u128; self.children.len()];
        for _ in 0..depth {
            walks = self
                .children
                .iter()
                .map(|cs| cs.iter().map(|&c| walks[c as usize]).sum())
                .collect();
        }
        root_ids.iter().map(|&r| walks[r as usize]).sum()
    }

    fn expand(&mut self, id: u32, node: &Node, next: &mut Vec<(u32, Node)>) {
        for mv in moves(&node.env) {
            let mut children = Vec::new();
            if let Err(why) = self.apply(node, &mv, &mut children) {
                panic!(
                    "{why}\n  after: {}\n  then: {mv:?}\n  from: {node:#?}",
                    self.trail(id).join("\n         ")
                );
            }
            for (child, hows) in children {
                self.transitions += 1;
                let child = canonical(child);
                let label = || format!("{mv:?}{}", hows.concat());
                let (cid, new) = self.intern(&child, Some((id, &label)));
                self.children[id as usize].push(cid);
                if new {
                    next.push((cid, child));
                }
            }
        }
    }

    /// The node's id, and whether it is new.
    fn intern(&mut self, node: &Node, from: Option<(u32, &dyn Fn() -> String)>) -> (u32, bool) {
        if let Some(&id) = self.index.get(node) {
            return (id, false);
        }
        if self.machine_states.insert(node.state.clone()) {
            let json = serde_json::to_string(&node.state).unwrap();
            let back: State = serde_json::from_str(&json).unwrap();
            assert_eq!(back, node.state, "state lost in JSON: {json}");
        }
        let id = u32::try_from(self.children.len()).unwrap();
        self.index.insert(node.clone(), id);
        self.children.push(Vec::new());
        self.parent.push(from.map(|(p, label)| (p, label())));
        (id, true)
    }

    fn trail(&self, mut id: u32) -> Vec<String> {
        let mut out = Vec::new();
        while let Some((parent, label)) = &self.parent[id as usize] {
            out.push(label.clone());
            id = *parent;
        }
        out.reverse();
        out
    }

    fn apply(&mut self, node: &Node, mv: &Move, out: &mut Vec<(Node, Vec<&'static str>)>) -> Check {
        match mv {
            Move::Send(event) => self.deliver(node.clone(), event.clone(), Vec::new(), out),
            Move::Wait(secs) => {
                let mut n = node.clone();
                n.env.now += secs;
                self.deliver(n, Event::Tick, Vec::new(), out)
            }
            Move::LoanTaken => {
                let mut n = node.clone();
                if n.env.ledger.state == AccountState::Active {
                    n.env.ledger.cents += LOAN_CENTS;
                }
                out.push((n, Vec::new()));
                Ok(())
            }
            Move::Repaid => {
                let mut n = node.clone();
                n.env.ledger.cents = 0;
                n.env.ledger.overdue = false;
                out.push((n, Vec::new()));
                Ok(())
            }
        }
    }

    /// Feeds `event` to the machine, checks what it did, and follows every
    /// answer to the effect it waits on.
    fn deliver(
        &mut self,
        mut n: Node,
        event: Event,
        hows: Vec<&'static str>,
        out: &mut Vec<(Node, Vec<&'static str>)>,
    ) -> Check {
        let now = n.env.now;
        if let Event::Start { .. } = event {
            n.env.next_nonce += 1;
        }
        n.oracle.before(&event, now);
        let before = n.state.clone();
        let (state, effects) = step(n.state, event.clone(), now, &self.config);
        n.state = state;
        wrong_nonce_changes_nothing(&before, &event, &n.state, &effects, now)?;
        let mut pending = None;
        for effect in &effects {
            n.oracle.after(effect, now)?;
            n.env.see(effect);
            if let Effect::Say(message) = effect {
                for button in message.buttons() {
                    ensure(
                        Event::from(button).button_nonce() == n.state.flow.nonce(),
                        || format!("{message:?} shows a button that is not the flow's"),
                    )?;
                }
            }
            if matches!(
                effect,
                Effect::LookUp { .. } | Effect::CheckStatus { .. } | Effect::Execute { .. }
            ) {
                ensure(pending.is_none(), || {
                    format!("two effects wait for answers: {effects:?}")
                })?;
                if matches!(effect, Effect::Execute { .. }) {
                    self.executes += 1;
                }
                pending = Some(effect.clone());
            }
        }
        ensure(pending.is_none() || n.state.flow.awaits_result(), || {
            "an effect waits for an answer the flow does not wait for".into()
        })?;
        let Some(effect) = pending else {
            out.push((n, hows));
            return Ok(());
        };
        for (env, answer, how) in answers(&n.env, &effect)? {
            let mut next = n.clone();
            next.env = env;
            let mut hows = hows.clone();
            hows.push(" → ");
            hows.push(how);
            match answer {
                Some(event) => self.deliver(next, event, hows, out)?,
                None => out.push((next, hows)),
            }
        }
        Ok(())
    }
}

/// The node with its clock moved to `T0` and its nonces renumbered 1, 2, …
/// in order. Both are invisible to the machine and the checks, which only
/// compare times with each other and nonces for equality, so paths that
/// differ only in them meet. Deadlines already passed are pinned to "now",
/// and history no check can look at again is dropped.
fn canonical(mut n: Node) -> Node {
    let shift = T0 - n.env.now;
    n.env.now = T0;
    if let Flow::AwaitingConfirm { deadline, .. } | Flow::AwaitingFinalConfirm { deadline, .. } =
        &mut n.state.flow
    {
        *deadline = (*deadline + shift).max(T0);
    }
    if let Some(r) = n.oracle.flow.as_mut() {
        if r.ended {
            *r = FlowRecord {
                ended: true,
                ..FlowRecord::new(r.nonce)
            };
        }
        for shown in [&mut r.confirm_shown, &mut r.final_shown]
            .into_iter()
            .flatten()
        {
            *shown = (*shown + shift).max(T0 - TIMEOUT);
        }
    }
    let live = [
        n.state.flow.nonce(),
        n.oracle.flow.as_ref().map(|r| r.nonce),
    ];
    n.oracle
        .requested
        .retain(|(nonce, _)| live.contains(&Some(*nonce)));

    let mut nonces = BTreeSet::new();
    nonces.extend(n.state.flow.nonce());
    nonces.extend(n.env.shown);
    nonces.extend(n.env.older);
    nonces.extend(n.oracle.flow.as_ref().map(|r| r.nonce));
    nonces.extend(n.oracle.requested.iter().map(|(nonce, _)| *nonce));
    let keys = n.oracle.keys.keys().chain(n.env.ledger.applied.iter());
    nonces.extend(keys.map(|k| split_key(k).0));
    nonces.remove(&FORGED);
    let map: BTreeMap<Nonce, Nonce> = nonces
        .iter()
        .zip(1..)
        .map(|(&old, new)| (old, Nonce(new)))
        .collect();
    let renumber = |nonce: &mut Nonce| *nonce = map.get(nonce).copied().unwrap_or(*nonce);
    let rekey = |key: &IdempotencyKey| {
        let (mut nonce, action) = split_key(key);
        renumber(&mut nonce);
        IdempotencyKey::new(nonce, action)
    };
    n.env.next_nonce = u32::try_from(map.len()).unwrap() + 1;
    if map.iter().all(|(old, new)| old == new) {
        return n;
    }
    n.env.shown.iter_mut().for_each(renumber);
    n.env.older.iter_mut().for_each(renumber);
    n.env.ledger.applied = n.env.ledger.applied.iter().map(rekey).collect();
    n.oracle.keys = n.oracle.keys.iter().map(|(k, f)| (rekey(k), *f)).collect();
    n.oracle.requested = n
        .oracle
        .requested
        .iter()
        .map(|&(mut nonce, a)| {
            renumber(&mut nonce);
            (nonce, a)
        })
        .collect();
    if let Some(r) = n.oracle.flow.as_mut() {
        renumber(&mut r.nonce);
    }
    match &mut n.state.flow {
        Flow::Idle => {}
        Flow::Choosing { nonce }
        | Flow::AwaitingIdentity { nonce, .. }
        | Flow::LookingUp { nonce, .. }
        | Flow::CheckingStatus { nonce, .. }
        | Flow::Precautions { nonce, .. }
        | Flow::AwaitingConfirm { nonce, .. }
        | Flow::AwaitingFinalConfirm { nonce, .. }
        | Flow::Rechecking { nonce, .. } => renumber(nonce),
        Flow::Executing { nonce, key, .. } | Flow::Resuming { nonce, key, .. } => {
            renumber(nonce);
            *key = rekey(key);
        }
    }
    n
}

/// A key's nonce and action; keys are `{nonce}-{action}`.
fn split_key(key: &IdempotencyKey) -> (Nonce, Closure) {
    let (nonce, action) = key.as_str().split_once('-').expect("key is nonce-action");
    let action = match action {
        "turn_off" => Closure::TurnOff,
        "cancel" => Closure::Cancel,
        other => panic!("key {key} names no action: {other}"),
    };
    (
        Nonce(nonce.parse().expect("key starts with the nonce")),
        action,
    )
}

fn wrong_nonce_changes_nothing(
    before: &State,
    event: &Event,
    after: &State,
    effects: &[Effect],
    now: i64,
) -> Check {
    let Some(nonce) = event.button_nonce() else {
        return Ok(());
    };
    if Some(nonce) == before.flow.nonce() {
        return Ok(());
    }
    let expired = before.flow.deadline().is_some_and(|d| now >= d);
    let says_expired = effects.last() == Some(&Effect::Say(Message::ButtonExpired));
    let only_says = effects.iter().all(|e| matches!(e, Effect::Say(_)));
    let unchanged = if expired {
        after.flow == Flow::Idle && after.verified == before.verified
    } else {
        after == before
    };
    ensure(unchanged && says_expired && only_says, || {
        format!("a button with nonce {nonce} not the flow's changed it: {after:?}, {effects:?}")
    })
}

fn roots() -> Vec<Node> {
    let statuses = [
        (AccountState::Active, 0, false),
        (AccountState::Active, 120_050, false),
        (AccountState::Active, 120_050, true),
        (AccountState::BorrowingOff, 0, false),
        (AccountState::Cancelled, 0, false),
    ];
    let mut out = Vec::new();
    for (state, cents, overdue) in statuses {
        for verified in [false, true] {
            let mut oracle = Oracle::default();
            if verified {
                oracle.own_shared = phone_bit(&KNOWN);
                oracle.found = phone_bit(&KNOWN);
            }
            out.push(Node {
                state: State {
                    verified: verified.then(known),
                    flow: Flow::Idle,
                },
                env: Env {
                    now: T0,
                    next_nonce: 1,
                    shown: None,
                    older: None,
                    ledger: Ledger {
                        state,
                        cents,
                        overdue,
                        applied: BTreeSet::new(),
                    },
                },
                oracle,
            });
        }
    }
    out
}

#[test]
fn no_sequence_of_events_acts_wrongly_or_twice() {
    let mut explorer = Explorer {
        config: Config {
            confirm_timeout_secs: TIMEOUT,
        },
        index: FastMap::default(),
        children: Vec::new(),
        parent: Vec::new(),
        machine_states: FastSet::default(),
        transitions: 0,
        executes: 0,
    };
    let depth = std::env::var("EXPLORE_DEPTH")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(DEPTH);
    let sequences = explorer.run(roots(), depth);
    eprintln!(
        "closure exploration: depth {depth}: {} distinct states ({} machine states), \
         {} transitions checked, {} Execute effects checked, {sequences} event sequences covered",
        explorer.children.len(),
        explorer.machine_states.len(),
        explorer.transitions,
        explorer.executes,
    );
    assert!(
        explorer.executes > 0,
        "no path ever executed: the exploration is too shallow"
    );
}
