//! Load test of the Telegram front: the real dispatcher (`telegram::run`)
//! with the built-in content and a SQLite file database, against the fake
//! Bot API on loopback, with many private chats writing at once.
//!
//! Two measurements:
//! - saturation: every chat sends its next message as soon as the reply to
//!   the previous one arrives; gives updates handled per second;
//! - fixed rate: messages arrive at `--rate` per second spread over the
//!   chats; gives the time from update to reply (p50, p99) when the bot is
//!   not overloaded.
//!
//! The `Throttle` queue is off: it holds sends to Telegram's own cap (about
//! 30 messages a second per bot), and the point here is the bot's handling.
//!
//! Run: `cargo bench --bench telegram -- [--chats 200] [--updates 20000] [--rate 1000] [--seconds 10] [--memory]`
//! (`--memory` keeps chat state and the update log in memory instead of
//! SQLite, to show the front's own ceiling).

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiebei_bot::accounts::{AccountService, Ledger};
use jiebei_bot::content::Content;
use jiebei_bot::engine::{ChatStore, Engine, EngineSettings, Incoming, Input, MemoryChats};
use jiebei_bot::store::Store;
use jiebei_bot::telegram::{self, MemoryUpdateLog, TelegramSettings, UpdateLog};
use support::fake_bot_api::{Call, FakeBotApi, TOKEN};
use support::updates::Person;
use tokio::sync::{mpsc, oneshot};

/// What the simulated customers write: questions, typos, pinyin, Chinese,
/// commands, and text the bot cannot answer.
const MESSAGES: &[&str] = &[
    "how do I close jiebei",
    "will closing affect my zhima score",
    "jeibei credit report",
    "怎么注销借呗",
    "关闭借呗会影响征信吗",
    "zhima",
    "can i still see my bills after closing",
    "/help",
    "weather tomorrow",
    "repay",
];

struct Options {
    chats: usize,
    updates: usize,
    rate: u64,
    seconds: u64,
    memory: bool,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let memory = args.iter().any(|a| a == "--memory");
    let mut o = Options {
        chats: 200,
        updates: 20_000,
        rate: 1_000,
        seconds: 10,
        memory,
    };
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| {
                v.parse::<u64>()
                    .unwrap_or_else(|_| panic!("{name} takes a number, not {v:?}"))
            })
    };
    o.chats = value("--chats").map_or(o.chats, |v| v as usize);
    o.updates = value("--updates").map_or(o.updates, |v| v as usize);
    o.rate = value("--rate").unwrap_or(o.rate);
    o.seconds = value("--seconds").unwrap_or(o.seconds);
    o
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this
    // file with no such flag and only wants it to build.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench(options()));
}

/// Routes the fake's calls to the chat waiting for them.
type Waiters = Arc<std::sync::Mutex<HashMap<i64, oneshot::Sender<Instant>>>>;

async fn bench(o: Options) {
    let api = Arc::new(FakeBotApi::start().await);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await
    .unwrap();
    let content = Content::builtin().unwrap();
    let replies_per_message = replies_per_message(&content).await;
    let (chats, updates, where_): (Arc<dyn ChatStore>, Arc<dyn UpdateLog>, _) = if o.memory {
        (
            Arc::new(MemoryChats::default()),
            Arc::new(MemoryUpdateLog::default()),
            "memory",
        )
    } else {
        (
            Arc::new(store.clone()),
            Arc::new(store.clone()),
            "SQLite file",
        )
    };
    let accounts: Arc<dyn AccountService> = Arc::new(Ledger::new(store.clone()));
    let settings = EngineSettings::for_content(&content);
    let engine = Engine::new(content.clone(), chats, accounts, settings);
    let mut settings = TelegramSettings::polling(TOKEN, api.api_url());
    settings.limits = None;
    let (stop, stopped) = oneshot::channel::<()>();
    let bot = tokio::spawn(telegram::run(settings, engine, updates, async {
        let _ = stopped.await;
    }));

    let waiters: Waiters = Arc::default();
    tokio::spawn(route(api.watch(), waiters.clone()));
    let people: Vec<Person> = (0..o.chats)
        .map(|i| Person::new(10_000 + i as i64, Some("en")))
        .collect();

    // Warm-up: every chat once (first contact creates its state row).
    saturate(&api, &waiters, &people, people.len(), &replies_per_message).await;

    println!(
        "jiebei-bot Telegram front, {} chats, state in {where_}, Throttle off",
        o.chats
    );
    let started = Instant::now();
    let latencies = saturate(&api, &waiters, &people, o.updates, &replies_per_message).await;
    let elapsed = started.elapsed();
    report(
        &format!("saturation ({} updates)", o.updates),
        &latencies,
        Some(o.updates as f64 / elapsed.as_secs_f64()),
    );

    // Let the saturation's aftermath settle (SQLite's WAL checkpoint, the
    // runtime's finished tasks): the fixed rate measures a steady bot.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let latencies = fixed_rate(
        &api,
        &waiters,
        &people,
        o.rate,
        o.seconds,
        &replies_per_message,
    )
    .await;
    report(
        &format!("fixed rate ({}/s for {} s)", o.rate, o.seconds),
        &latencies,
        None,
    );

    let _ = stop.send(());
    bot.await.unwrap().unwrap();
}

/// How many messages the bot sends for each of [`MESSAGES`] (so a chat
/// knows when its turn is over). A chat waits for exactly that many, so the
/// count must not depend on what the chat said before: checked here on a
/// chat that says every message after every other (a message that starts a
/// flow would make the next replies longer, the load generator would run
/// ahead of the bot, and the figures would be wrong).
async fn replies_per_message(content: &Content) -> Vec<usize> {
    let scratch = Store::connect("sqlite::memory:").await.unwrap();
    let accounts: Arc<dyn AccountService> = Arc::new(Ledger::new(scratch));
    let engine = Engine::new(
        content.clone(),
        Arc::new(MemoryChats::default()),
        accounts,
        EngineSettings::for_content(content),
    );
    let say = |chat: i64, text: &str| Incoming {
        chat,
        user: Some(chat),
        language_code: Some("en".into()),
        input: Input::Text(text.into()),
    };
    let mut counts = Vec::new();
    for (i, text) in MESSAGES.iter().enumerate() {
        counts.push(engine.handle(say(i as i64, text)).await.len());
    }
    let chat = MESSAGES.len() as i64;
    for (i, before) in MESSAGES.iter().enumerate() {
        for (j, text) in MESSAGES.iter().enumerate() {
            engine.handle(say(chat, before)).await;
            let n = engine.handle(say(chat, text)).await.len();
            assert_eq!(
                n, counts[j],
                "{:?} after {:?} gets {n} replies, not {}: the bench's messages must not \
                 change each other's replies (message {i}, {j})",
                text, before, counts[j]
            );
        }
    }
    counts
}

async fn route(mut calls: mpsc::UnboundedReceiver<Call>, waiters: Waiters) {
    while let Some(call) = calls.recv().await {
        if call.method != "sendMessage" || !call.ok() {
            continue;
        }
        let Some(chat) = call.chat() else { continue };
        if let Some(waiter) = waiters.lock().unwrap().remove(&chat) {
            let _ = waiter.send(call.at);
        }
    }
}

/// One customer message and the wait for the whole reply; the time from
/// the update's arrival at the fake Telegram to the reply's first message.
async fn exchange(
    api: &FakeBotApi,
    waiters: &Waiters,
    person: &Person,
    n: usize,
    replies: &[usize],
) -> Duration {
    let which = n % MESSAGES.len();
    let mut first = None;
    let mut sent_at = None;
    for _ in 0..replies[which].max(1) {
        let (tx, rx) = oneshot::channel();
        waiters.lock().unwrap().insert(person.id, tx);
        if sent_at.is_none() {
            let update = api.send_text(person, MESSAGES[which]);
            sent_at = api.injected_at(update);
        }
        let at = tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .expect("a reply within 30 s")
            .expect("the router is running");
        first.get_or_insert(at);
    }
    first.unwrap().saturating_duration_since(sent_at.unwrap())
}

/// Every chat in a loop until `total` exchanges are done.
async fn saturate(
    api: &Arc<FakeBotApi>,
    waiters: &Waiters,
    people: &[Person],
    total: usize,
    replies: &[usize],
) -> Vec<Duration> {
    let per_chat = total.div_ceil(people.len());
    let mut tasks = Vec::new();
    for (i, person) in people.iter().enumerate() {
        let (api, waiters, person, replies) = (
            api.clone(),
            waiters.clone(),
            person.clone(),
            replies.to_vec(),
        );
        let count = per_chat.min(total.saturating_sub(i * per_chat));
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::with_capacity(count);
            for n in 0..count {
                out.push(exchange(&api, &waiters, &person, n + i, &replies).await);
            }
            out
        }));
    }
    let mut all = Vec::with_capacity(total);
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

/// Messages at `rate` per second for `seconds`, each to a chat that is not
/// waiting for a reply.
async fn fixed_rate(
    api: &Arc<FakeBotApi>,
    waiters: &Waiters,
    people: &[Person],
    rate: u64,
    seconds: u64,
    replies: &[usize],
) -> Vec<Duration> {
    let (free_tx, mut free_rx) = mpsc::unbounded_channel::<Person>();
    for p in people {
        free_tx.send(p.clone()).unwrap();
    }
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Duration>();
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let total = rate * seconds;
    let mut skipped = 0;
    for n in 0..total {
        ticker.tick().await;
        let Ok(person) = free_rx.try_recv() else {
            skipped += 1;
            continue;
        };
        let (api, waiters, replies) = (api.clone(), waiters.clone(), replies.to_vec());
        let (free_tx, done_tx) = (free_tx.clone(), done_tx.clone());
        tokio::spawn(async move {
            let took = exchange(&api, &waiters, &person, n as usize, &replies).await;
            let _ = done_tx.send(took);
            let _ = free_tx.send(person);
        });
    }
    drop(done_tx);
    let mut all = Vec::new();
    while let Some(d) = done_rx.recv().await {
        all.push(d);
    }
    if skipped > 0 {
        println!("  ({skipped} ticks found every chat busy and sent nothing)");
    }
    all
}

fn report(what: &str, latencies: &[Duration], per_sec: Option<f64>) {
    let mut sorted: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    sorted.sort_by(f64::total_cmp);
    let pct = |p: f64| sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)];
    print!("{what}: ");
    if let Some(r) = per_sec {
        print!("{r:.0} updates/s, ");
    }
    println!(
        "update→reply p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} updates)",
        pct(0.50),
        pct(0.99),
        sorted.last().copied().unwrap_or_default(),
        sorted.len()
    );
}
