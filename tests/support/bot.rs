//! The real bot (`telegram::run`, teloxide's dispatcher included) started
//! against the fake Bot API, stopped through its shutdown future, and
//! restarted over the same stores like a new process would be.

use std::sync::{Arc, OnceLock};

use jiebei_bot::accounts::{AccountService, Ledger};
use jiebei_bot::content::Content;
use jiebei_bot::engine::{Engine, EngineSettings, Incoming, MemoryChats, Reply};
use jiebei_bot::handoff::Handoff;
use jiebei_bot::lang::Lang;
use jiebei_bot::store::Store;
use jiebei_bot::telegram::{
    self, RateLimits, SupportGroup, TelegramError, TelegramSettings, UpdateLog,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::fake_bot_api::{FakeBotApi, Message, TOKEN};
use super::updates::Group;

/// Limits high enough that tests never wait on them, with the `Throttle`
/// queue still in the path of every send.
pub fn test_limits() -> RateLimits {
    RateLimits {
        messages_per_sec_chat: 100,
        messages_per_min_chat: 10_000,
        messages_per_min_channel_or_supergroup: 10_000,
        messages_per_sec_overall: 1_000,
    }
}

/// The built-in content, loaded once per test binary.
pub fn builtin() -> Content {
    static CONTENT: OnceLock<Content> = OnceLock::new();
    CONTENT
        .get_or_init(|| Content::builtin().expect("built-in content loads"))
        .clone()
}

struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), TelegramError>>,
}

/// A fake Bot API with the bot running against it.
pub struct TestBot {
    /// The fake Telegram.
    pub api: FakeBotApi,
    /// The content the bot answers from.
    pub content: Content,
    /// The database every bot process of this test shares (a SQLite file).
    pub store: Store,
    /// The support group tickets go to, if any.
    pub support: Option<SupportGroup>,
    running: Option<Running>,
    _dir: tempfile::TempDir,
}

impl TestBot {
    /// The bot on built-in content, polling.
    pub async fn start() -> TestBot {
        TestBot::start_with(builtin()).await
    }

    /// The bot on built-in content, polling, with `group` (which the bot is
    /// in) as its support group.
    pub async fn start_with_support(group: &Group) -> TestBot {
        let mut bot = TestBot::create(builtin()).await;
        bot.api.add_group(group);
        bot.support = Some(SupportGroup {
            chat: group.id,
            lang: Lang::En,
        });
        let settings = bot.polling_settings();
        bot.launch(settings).await;
        bot
    }

    /// The bot on `content`, polling.
    pub async fn start_with(content: Content) -> TestBot {
        let mut bot = TestBot::create(content).await;
        let settings = bot.polling_settings();
        bot.launch(settings).await;
        bot
    }

    /// A bot over a new database, not started yet.
    async fn create(content: Content) -> TestBot {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("info")
            .try_init();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("bot.db").display());
        let store = Store::connect(&url).await.expect("the test database opens");
        TestBot {
            api: FakeBotApi::start().await,
            content,
            store,
            support: None,
            running: None,
            _dir: dir,
        }
    }

    /// Polling settings pointing at the fake.
    pub fn polling_settings(&self) -> TelegramSettings {
        let mut settings = TelegramSettings::polling(TOKEN, self.api.api_url());
        settings.limits = Some(test_limits());
        settings.support = self.support;
        settings
    }

    /// Starts a bot process with `settings` over this bot's stores.
    pub async fn launch(&mut self, settings: TelegramSettings) {
        let updates = Arc::new(self.store.clone());
        self.launch_with_log(settings, updates).await
    }

    /// Starts a bot process with `settings` over this bot's stores but
    /// `updates` as its update log.
    pub async fn launch_with_log(
        &mut self,
        settings: TelegramSettings,
        updates: Arc<dyn UpdateLog>,
    ) {
        assert!(self.running.is_none(), "stop the running bot first");
        let engine = self.engine();
        let (stop, stopped) = oneshot::channel::<()>();
        let stopped = async {
            let _ = stopped.await;
        };
        let task = match settings.support {
            Some(_) => {
                let engine = engine.with_handoff(self.handoff(), true);
                tokio::spawn(telegram::run_with_tickets(
                    settings,
                    engine,
                    self.handoff(),
                    updates,
                    stopped,
                ))
            }
            None => tokio::spawn(telegram::run(settings, engine, updates, stopped)),
        };
        self.running = Some(Running { stop, task });
    }

    /// A fresh engine over the shared database (chat state and the
    /// built-in ledger), as a new process builds.
    fn engine(&self) -> Engine {
        let settings = EngineSettings::for_content(&self.content);
        let accounts: Arc<dyn AccountService> = Arc::new(self.ledger());
        Engine::new(
            self.content.clone(),
            Arc::new(self.store.clone()),
            accounts,
            settings,
        )
    }

    /// The tickets in the test database.
    pub fn handoff(&self) -> Handoff {
        Handoff::new(self.store.clone())
    }

    /// The built-in ledger of accounts in the test database.
    pub fn ledger(&self) -> Ledger {
        Ledger::new(self.store.clone())
    }

    /// What the engine says to `incoming` from a blank chat: what the
    /// Telegram front must show, computed without it. (FAQ-level inputs
    /// only: its ledger is an empty in-memory database.)
    pub async fn expected(&self, incoming: Incoming) -> Vec<Reply> {
        let settings = EngineSettings::for_content(&self.content);
        let scratch = Store::connect("sqlite::memory:")
            .await
            .expect("an in-memory database");
        let accounts: Arc<dyn AccountService> = Arc::new(Ledger::new(scratch));
        let chats = Arc::new(MemoryChats::default());
        let fresh = Engine::new(self.content.clone(), chats, accounts, settings);
        fresh.handle(incoming).await
    }

    /// Stops the bot through its shutdown future and waits for `run` to
    /// return.
    pub async fn stop(&mut self) -> Result<(), TelegramError> {
        let running = self.running.take().expect("the bot is running");
        let _ = running.stop.send(());
        tokio::time::timeout(std::time::Duration::from_secs(20), running.task)
            .await
            .expect("the bot stops within 20 s")
            .expect("the bot task does not panic")
    }

    /// Stops the bot and starts a new one over the same stores.
    pub async fn restart(&mut self) {
        self.stop().await.expect("a clean stop");
        let settings = self.polling_settings();
        self.launch(settings).await;
    }

    /// Waits for `n` bot messages in `chat` in all; returns them.
    pub async fn messages(&self, chat: i64, n: usize) -> Vec<Message> {
        self.api.wait_for_messages(chat, n).await
    }
}

impl Drop for TestBot {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            running.task.abort();
        }
    }
}
