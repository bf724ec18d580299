//! Conversation scripts: every `tests/conversations/*.yaml` is played
//! against the real engine on a SQLite file, turn by turn, checking what the
//! customer sees (texts by content key, buttons by their label's key) and
//! the accounts and audit log afterwards.
//!
//! A script:
//!
//! ```yaml
//! name: turn off borrowing, happy path
//! lang: en                      # the language the expected texts are in
//! accounts:                     # the ledger before the first turn
//!   - { phone: "+8613800000001", outstanding: "0", state: active }
//! turns:
//!   - say: close my jiebei      # or press: KEY | press_stale: KEY | contact: PHONE
//!     expect:                   #    | foreign_contact: PHONE | wait_minutes: N
//!       - text: identity_request  #  | restart: true | set_account: {...}
//!         contact_keyboard: true
//!     absent: [done_turn_off]   # keys whose text must not appear this turn
//! after:
//!   accounts: [{ phone: "+8613800000001", state: borrowing_off }]
//!   actions_done: 1             # audit rows that acted (done)
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiebei_bot::accounts::{AccountService, AccountState, Ledger, Money, Phone};
use jiebei_bot::content::{fill, Content};
use jiebei_bot::engine::{Engine, EngineSettings, Incoming, Input, Keyboard, ManualClock, Reply};
use jiebei_bot::lang::Lang;
use jiebei_bot::store::Store;
use serde::Deserialize;
use time::macros::datetime;

const CHAT: i64 = 4242;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    name: String,
    #[serde(default = "english")]
    lang: Lang,
    #[serde(default)]
    accounts: Vec<AccountSpec>,
    turns: Vec<Turn>,
    #[serde(default)]
    after: After,
}

fn english() -> Lang {
    Lang::En
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountSpec {
    phone: String,
    #[serde(default)]
    outstanding: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    overdue: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Turn {
    say: Option<String>,
    press: Option<String>,
    press_stale: Option<String>,
    contact: Option<String>,
    foreign_contact: Option<String>,
    wait_minutes: Option<i64>,
    restart: Option<bool>,
    set_account: Option<AccountSpec>,
    #[serde(default)]
    expect: Vec<Expect>,
    #[serde(default)]
    absent: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    text: Option<String>,
    #[serde(default)]
    vars: BTreeMap<String, String>,
    contains: Option<String>,
    #[serde(default)]
    buttons: Vec<String>,
    #[serde(default)]
    contact_keyboard: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct After {
    #[serde(default)]
    accounts: Vec<AccountSpec>,
    actions_done: Option<usize>,
}

/// A running bot over one SQLite file that can be restarted.
struct Harness {
    db: PathBuf,
    clock: ManualClock,
    content: Content,
    store: Store,
    engine: Engine,
    /// Every button shown so far, oldest first: (label, callback data).
    seen: Vec<(String, String)>,
    /// Buttons of the last turn's replies.
    last: Vec<(String, String)>,
}

impl Harness {
    async fn start(dir: &Path) -> Harness {
        let db = dir.join("bot.db");
        let clock = ManualClock::new(datetime!(2026-11-25 09:00 UTC));
        let content = Content::builtin().unwrap();
        let (store, engine) = Self::boot(&db, &clock, &content).await;
        Harness {
            db,
            clock,
            content,
            store,
            engine,
            seen: Vec::new(),
            last: Vec::new(),
        }
    }

    async fn boot(db: &Path, clock: &ManualClock, content: &Content) -> (Store, Engine) {
        let store = Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let accounts: Arc<dyn AccountService> = Arc::new(Ledger::new(store.clone()));
        let settings = EngineSettings::for_content(content);
        let engine = Engine::with_clock(
            content.clone(),
            Arc::new(store.clone()),
            accounts,
            settings,
            Arc::new(clock.clone()),
        );
        (store, engine)
    }

    async fn restart(&mut self) {
        self.store.close().await;
        let (store, engine) = Self::boot(&self.db, &self.clock, &self.content).await;
        self.store = store;
        self.engine = engine;
    }

    async fn put_account(&self, spec: &AccountSpec) {
        let ledger = Ledger::new(self.store.clone());
        let phone = Phone::parse(&spec.phone).unwrap();
        let outstanding = spec
            .outstanding
            .as_deref()
            .map(|m| Money::parse(m).unwrap());
        let state = spec
            .state
            .as_deref()
            .map(|s| s.parse::<AccountState>().unwrap());
        if ledger.show(&phone).await.is_ok() {
            ledger
                .set(&phone, outstanding, state, spec.overdue)
                .await
                .unwrap();
        } else {
            ledger
                .add(
                    &phone,
                    outstanding.unwrap_or(Money::ZERO),
                    state.unwrap_or(AccountState::Active),
                    spec.overdue.unwrap_or(false),
                )
                .await
                .unwrap();
        }
    }

    async fn send(&mut self, input: Input) -> Vec<Reply> {
        let incoming = Incoming {
            chat: CHAT,
            user: Some(CHAT),
            language_code: None,
            input,
        };
        let replies = self.engine.handle(incoming).await;
        self.last = replies
            .iter()
            .flat_map(Reply::all_buttons)
            .map(|b| (b.label.clone(), b.data.encode()))
            .collect();
        self.seen.extend(self.last.iter().cloned());
        replies
    }
}

/// True when `text` contains the key's text with the given placeholders
/// filled; placeholders not given match anything.
fn shows(
    text: &str,
    content: &Content,
    key: &str,
    lang: Lang,
    vars: &BTreeMap<String, String>,
) -> bool {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let filled = fill(content.text(key, lang), &vars);
    // What is left between unfilled `{name}` placeholders must appear in order.
    let mut rest = text;
    for piece in filled.split(['{', '}']).step_by(2) {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

async fn play(path: &Path) {
    let script: Script = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::start(dir.path()).await;
    for spec in &script.accounts {
        h.put_account(spec).await;
    }
    let lang = script.lang;
    for (n, turn) in script.turns.iter().enumerate() {
        let at = format!("{} ({}), turn {}", script.name, path.display(), n + 1);
        let label = |key: &str| h.content.text(key, lang).to_string();
        let replies = if let Some(text) = &turn.say {
            h.send(Input::Text(text.clone())).await
        } else if let Some(key) = &turn.press {
            let want = label(key);
            let data = h
                .last
                .iter()
                .find(|(l, _)| *l == want)
                .map(|(_, d)| d.clone());
            let data = data.unwrap_or_else(|| panic!("{at}: no button `{want}` in {:?}", h.last));
            h.send(Input::Button(data)).await
        } else if let Some(key) = &turn.press_stale {
            let want = label(key);
            let data = h
                .seen
                .iter()
                .find(|(l, _)| *l == want)
                .map(|(_, d)| d.clone());
            let data = data.unwrap_or_else(|| panic!("{at}: button `{want}` was never shown"));
            h.send(Input::Button(data)).await
        } else if let Some(phone) = &turn.contact {
            h.send(Input::Contact {
                phone: phone.clone(),
                user_id: Some(CHAT),
            })
            .await
        } else if let Some(phone) = &turn.foreign_contact {
            h.send(Input::Contact {
                phone: phone.clone(),
                user_id: Some(CHAT + 1),
            })
            .await
        } else if let Some(minutes) = turn.wait_minutes {
            h.clock.advance(minutes * 60);
            continue;
        } else if turn.restart == Some(true) {
            h.restart().await;
            continue;
        } else if let Some(spec) = &turn.set_account {
            h.put_account(spec).await;
            continue;
        } else {
            panic!("{at}: a turn needs one of say, press, press_stale, contact, foreign_contact, wait_minutes, restart, set_account");
        };

        let shown: Vec<String> = replies.iter().map(|r| r.text.clone()).collect();
        let mut from = 0;
        for exp in &turn.expect {
            let found = replies[from..].iter().position(|r| {
                let text_ok = exp
                    .text
                    .as_ref()
                    .is_none_or(|k| shows(&r.text, &h.content, k, lang, &exp.vars));
                let contains_ok = exp
                    .contains
                    .as_ref()
                    .is_none_or(|c| r.text.contains(c.as_str()));
                let labels: Vec<&str> = r.all_buttons().map(|b| b.label.as_str()).collect();
                let buttons_ok = exp
                    .buttons
                    .iter()
                    .all(|k| labels.contains(&h.content.text(k, lang)));
                let keyboard_ok =
                    !exp.contact_keyboard || matches!(r.keyboard, Keyboard::RequestContact(_));
                text_ok && contains_ok && buttons_ok && keyboard_ok
            });
            match found {
                // The next expectation may be met by the same reply (one message
                // can carry two texts), never by an earlier one.
                Some(i) => from += i,
                None => panic!(
                    "{at}: expected {exp:?} in order; the bot said:\n{shown:#?}\nbuttons: {:?}",
                    h.last
                ),
            }
        }
        for key in &turn.absent {
            let none = BTreeMap::new();
            assert!(
                !shown.iter().any(|s| shows(s, &h.content, key, lang, &none)),
                "{at}: `{key}` must not be said; the bot said:\n{shown:#?}"
            );
        }
    }

    let ledger = Ledger::new(h.store.clone());
    for spec in &script.after.accounts {
        let view = ledger
            .show(&Phone::parse(&spec.phone).unwrap())
            .await
            .unwrap();
        let view = serde_json::to_value(&view).unwrap();
        if let Some(state) = &spec.state {
            assert_eq!(
                view["state"],
                state.as_str(),
                "{}: account {} state",
                script.name,
                spec.phone
            );
        }
        if let Some(outstanding) = &spec.outstanding {
            assert_eq!(
                view["outstanding"],
                outstanding.as_str(),
                "{}: account {}",
                script.name,
                spec.phone
            );
        }
    }
    if let Some(n) = script.after.actions_done {
        let done = h
            .store
            .audit_entries()
            .await
            .unwrap()
            .iter()
            .filter(|e| serde_json::to_value(e).unwrap()["result"] == "done")
            .count();
        assert_eq!(done, n, "{}: actions carried out", script.name);
    }
}

#[tokio::test]
async fn every_conversation_script_plays_as_written() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conversations");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    scripts.sort();
    assert!(
        scripts.len() >= 8,
        "expected the conversation scripts in {}",
        dir.display()
    );
    for script in &scripts {
        play(script).await;
    }
}
