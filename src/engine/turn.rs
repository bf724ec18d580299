//! One conversation turn: classify the input, act on it, remember the chat.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::callback::CallbackData;
use crate::content::{ActionId, Content, Faq, FaqId};
use crate::lang::{self, Lang, LangHints};
use crate::matcher::{Match, Matcher, Target};

use super::clock::{Clock, SystemClock};
use super::state::{ChatState, ChatStore};
use super::types::{ChatId, Incoming, Input, Reply};

/// Settings the engine reads at start.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// Days back `/topics` looks.
    pub topic_window_days: u32,
    /// Seconds a pending confirmation stays valid.
    pub confirm_timeout_secs: i64,
}

impl EngineSettings {
    /// The defaults, with the topic window from content.
    pub fn for_content(content: &Content) -> EngineSettings {
        EngineSettings {
            topic_window_days: content.topic_window_days,
            confirm_timeout_secs: 600,
        }
    }
}

/// The conversation engine shared by every front.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    content: Content,
    matcher: Matcher,
    chats: Arc<dyn ChatStore>,
    clock: Arc<dyn Clock>,
    settings: EngineSettings,
    /// One lock per chat: a chat's turns run one at a time, so a double tap
    /// is seen after the first tap's state is saved. A std Mutex guards the
    /// map (never held across an await); the per-chat lock is Tokio's.
    locks: Mutex<HashMap<ChatId, Arc<tokio::sync::Mutex<()>>>>,
}

/// A turn in progress: the chat's state, the reply language, the replies.
struct Turn {
    chat: ChatId,
    state: ChatState,
    lang: Lang,
    replies: Vec<Reply>,
}

impl Turn {
    fn say(&mut self, reply: Reply) {
        self.replies.push(reply);
    }
}

impl Engine {
    /// An engine over `content`, keeping chat state in `chats`.
    pub fn new(content: Content, chats: Arc<dyn ChatStore>, settings: EngineSettings) -> Engine {
        Engine::with_clock(content, chats, settings, Arc::new(SystemClock))
    }

    /// Same as [`Engine::new`] with a chosen clock.
    pub fn with_clock(
        content: Content,
        chats: Arc<dyn ChatStore>,
        settings: EngineSettings,
        clock: Arc<dyn Clock>,
    ) -> Engine {
        let matcher = Matcher::new(&content);
        Engine {
            inner: Arc::new(Inner {
                content,
                matcher,
                chats,
                clock,
                settings,
                locks: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The content the engine answers from.
    pub fn content(&self) -> &Content {
        &self.inner.content
    }

    /// The matcher built over that content.
    pub fn matcher(&self) -> &Matcher {
        &self.inner.matcher
    }

    /// Handles one input and returns what to send back, in order.
    pub async fn handle(&self, incoming: Incoming) -> Vec<Reply> {
        let lock = self.chat_lock(incoming.chat);
        let _guard = lock.lock().await;
        let inner = &self.inner;

        let (state, reset) = match inner.chats.load(incoming.chat).await {
            Ok(Some(json)) => match ChatState::from_json(&json) {
                Some(state) => (state, false),
                None => (ChatState::default(), true),
            },
            Ok(None) => (ChatState::default(), false),
            Err(e) => {
                tracing::error!(chat = incoming.chat, error = %e, "cannot load chat state");
                let lang = incoming
                    .language_code
                    .as_deref()
                    .and_then(Lang::from_language_code)
                    .unwrap_or(Lang::En);
                return vec![Reply::text(inner.content.text("service_unavailable", lang))];
            }
        };
        // A command's own name says nothing of the customer's language.
        let text = match &incoming.input {
            Input::Text(t) if !t.trim_start().starts_with('/') => t.as_str(),
            _ => "",
        };
        let hints = LangHints {
            pinned: state.pinned,
            last: state.last,
            client: incoming
                .language_code
                .as_deref()
                .and_then(Lang::from_language_code),
        };
        let mut turn = Turn {
            chat: incoming.chat,
            lang: lang::choose(text, hints),
            state,
            replies: Vec::new(),
        };
        if reset {
            tracing::warn!(
                chat = incoming.chat,
                "stored chat state was unreadable; reset"
            );
            let msg = inner.content.text("state_reset", turn.lang).to_string();
            turn.say(Reply::text(msg));
        }

        match incoming.input {
            Input::Text(t) => self.on_text(&mut turn, &t).await,
            Input::Button(data) => self.on_button(&mut turn, &data).await,
            Input::Contact { .. } => {
                let msg = inner
                    .content
                    .text("contact_unexpected", turn.lang)
                    .to_string();
                turn.say(Reply::text(msg));
            }
            Input::Unsupported => {
                let msg = inner
                    .content
                    .text("unsupported_input", turn.lang)
                    .to_string();
                turn.say(Reply::text(msg));
            }
        }

        turn.state.last = Some(turn.lang);
        if let Err(e) = inner.chats.save(turn.chat, &turn.state.to_json()).await {
            tracing::error!(chat = turn.chat, error = %e, "cannot save chat state");
        }
        turn.replies
    }

    fn chat_lock(&self, chat: ChatId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.inner.locks.lock().expect("chat lock map");
        if locks.len() > 10_000 {
            locks.retain(|_, l| Arc::strong_count(l) > 1);
        }
        locks.entry(chat).or_default().clone()
    }

    async fn on_text(&self, turn: &mut Turn, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            self.say_key(turn, "empty_message");
            return;
        }
        if let Some(command) = text.strip_prefix('/') {
            self.on_command(turn, command).await;
            return;
        }
        // Matched in the language it is written in; answered in the chat's
        // (a pinned language may differ from the message's script).
        let written_in = lang::detect_script(text).unwrap_or(turn.lang);
        let outcome = self.inner.matcher.classify(text, written_in);
        match outcome {
            Match::Answer { id, .. } => {
                turn.state.misses = 0;
                self.answer(turn, &id);
            }
            Match::Action { id, .. } => {
                turn.state.misses = 0;
                self.start_action(turn, id).await;
            }
            Match::Clarify { candidates } => {
                turn.state.misses = 0;
                self.clarify(turn, &candidates);
            }
            Match::Fallback => self.fallback(turn),
        }
    }

    async fn on_command(&self, turn: &mut Turn, command: &str) {
        let (name, arg) = command
            .split_once(char::is_whitespace)
            .unwrap_or((command, ""));
        // "/help@jiebei_bot" in groups names the bot after the command.
        let name = name.split('@').next().unwrap_or("").to_ascii_lowercase();
        let arg = arg.trim();
        match name.as_str() {
            "start" => self.on_start(turn, arg).await,
            "help" => self.say_key(turn, "help"),
            "topics" => self.topics(turn),
            "lang" => self.set_lang(turn, arg),
            "close" => self.start_action(turn, ActionId::TurnOff).await,
            "cancel" => self.start_action(turn, ActionId::Cancel).await,
            "agent" => self.start_action(turn, ActionId::Agent).await,
            "stop" => self.say_key(turn, "nothing_to_stop"),
            _ => self.say_key(turn, "unknown_command"),
        }
    }

    /// `/start`, with an optional deep-link payload: `close`, `cancel` or
    /// `faq-<id>`.
    async fn on_start(&self, turn: &mut Turn, payload: &str) {
        match payload {
            "close" | "turn-off" => self.start_action(turn, ActionId::TurnOff).await,
            "cancel" => self.start_action(turn, ActionId::Cancel).await,
            p => match p.strip_prefix("faq-").and_then(|id| FaqId::parse(id).ok()) {
                Some(id) if self.inner.content.faq(&id).is_some() => self.answer(turn, &id),
                _ => self.say_key(turn, "greeting"),
            },
        }
    }

    async fn on_button(&self, turn: &mut Turn, data: &str) {
        match CallbackData::decode(data) {
            Some(CallbackData::Faq(id)) if self.inner.content.faq(&id).is_some() => {
                turn.state.misses = 0;
                self.answer(turn, &id);
            }
            Some(CallbackData::Start(action)) => self.start_action(turn, action).await,
            Some(CallbackData::NoneOfThese) => self.fallback(turn),
            Some(CallbackData::Flow { .. }) | Some(CallbackData::Faq(_)) | None => {
                self.say_key(turn, "button_expired")
            }
        }
    }

    fn say_key(&self, turn: &mut Turn, key: &str) {
        let text = self.inner.content.text(key, turn.lang).to_string();
        turn.say(Reply::text(text));
    }

    fn label_of(&self, target: &Target, lang: Lang) -> String {
        let c = &self.inner.content;
        match target {
            Target::Faq(id) => c
                .faq(id)
                .map(|f| f.text.get(lang).question.clone())
                .unwrap_or_default(),
            Target::Action(a) => c.text(start_button_key(*a), lang).to_string(),
        }
    }

    /// A FAQ answer with its "start now" and follow-up buttons.
    fn answer(&self, turn: &mut Turn, id: &FaqId) {
        let c = &self.inner.content;
        let Some(faq) = c.faq(id) else { return };
        turn.say(self.answer_reply(faq, turn.lang));
    }

    fn answer_reply(&self, faq: &Faq, lang: Lang) -> Reply {
        let c = &self.inner.content;
        let mut reply = Reply::text(faq.text.get(lang).answer.clone());
        if let Some(action) = faq.start {
            reply = reply.with_button(
                c.text(start_button_key(action), lang),
                CallbackData::Start(action),
            );
        }
        for rel in &faq.related {
            if let Some(r) = c.faq(rel) {
                reply = reply.with_button(
                    r.text.get(lang).question.clone(),
                    CallbackData::Faq(rel.clone()),
                );
            }
        }
        reply
    }

    fn clarify(&self, turn: &mut Turn, candidates: &[Target]) {
        let c = &self.inner.content;
        let mut reply = Reply::text(c.text("clarify_prompt", turn.lang));
        for t in candidates {
            let data = match t {
                Target::Faq(id) => CallbackData::Faq(id.clone()),
                Target::Action(a) => CallbackData::Start(*a),
            };
            reply = reply.with_button(self.label_of(t, turn.lang), data);
        }
        reply = reply.with_button(
            c.text("button_none_of_these", turn.lang),
            CallbackData::NoneOfThese,
        );
        turn.say(reply);
    }

    fn fallback(&self, turn: &mut Turn) {
        turn.state.misses += 1;
        let c = &self.inner.content;
        let reply = Reply::text(c.text("fallback", turn.lang)).with_button(
            c.text("button_agent", turn.lang),
            CallbackData::Start(ActionId::Agent),
        );
        turn.say(reply);
    }

    fn topics(&self, turn: &mut Turn) {
        let c = &self.inner.content;
        let days = self.inner.settings.topic_window_days;
        let today = self.inner.clock.now().date();
        let recent = c.recent_topics(today, days);
        let days_s = days.to_string();
        if recent.is_empty() {
            turn.say(Reply::text(c.text_with(
                "topics_none",
                turn.lang,
                &[("days", &days_s)],
            )));
            return;
        }
        let mut text = c.text_with("topics_header", turn.lang, &[("days", &days_s)]);
        let mut reply = Reply::default();
        for t in &recent {
            let tt = t.text.get(turn.lang);
            text.push_str(&format!("\n\n• {} ({})\n{}", tt.title, t.date, tt.body));
            if let Some(faq) = t.related.as_ref().and_then(|id| c.faq(id)) {
                reply = reply.with_button(
                    faq.text.get(turn.lang).question.clone(),
                    CallbackData::Faq(faq.id.clone()),
                );
            }
        }
        reply.text = text;
        turn.say(reply);
    }

    fn set_lang(&self, turn: &mut Turn, arg: &str) {
        if arg.eq_ignore_ascii_case("auto") {
            turn.state.pinned = None;
            self.say_key(turn, "lang_set");
            return;
        }
        match arg.parse::<Lang>() {
            Ok(lang) => {
                turn.state.pinned = Some(lang);
                turn.lang = lang;
                self.say_key(turn, "lang_set");
            }
            Err(_) => self.say_key(turn, "lang_usage"),
        }
    }

    async fn start_action(&self, turn: &mut Turn, action: ActionId) {
        match action {
            ActionId::Agent => self.say_key(turn, "agent_contact"),
            ActionId::TurnOff => self.answer_by_str(turn, "how-to-turn-off"),
            ActionId::Cancel => self.answer_by_str(turn, "how-to-cancel"),
        }
    }

    fn answer_by_str(&self, turn: &mut Turn, id: &str) {
        if let Some(faq) = self.inner.content.faq_by_str(id) {
            turn.say(self.answer_reply(faq, turn.lang));
        }
    }
}

/// The text key of the button that starts `action`.
fn start_button_key(action: ActionId) -> &'static str {
    match action {
        ActionId::TurnOff => "button_start_turn_off",
        ActionId::Cancel => "button_start_cancel",
        ActionId::Agent => "button_agent",
    }
}
