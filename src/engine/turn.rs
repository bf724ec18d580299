//! One conversation turn: classify the input, act on it, remember the chat.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::accounts::{
    AccountRef, AccountService, ActionOutcome, Closure, IdempotencyKey, Money, Phone,
};
use crate::callback::CallbackData;
use crate::closure::{
    self, Effect, Event, ExecResult, Flow, Message, Nonce, BLOCKED_OVERDUE_KEY, SHARE_CONTACT_KEY,
};
use crate::content::{ActionId, Content, Faq, FaqId};
use crate::handoff::{Handoff, Reason};
use crate::lang::{self, Lang, LangHints};
use crate::matcher::{Match, Matcher, SmallTalk, Target};

use super::clock::{Clock, SystemClock};
use super::escalate::{Handled, TicketEvent};
use super::state::{ChatState, ChatStore};
use super::types::{Button, ChatId, Incoming, Input, Keyboard, Reply};

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
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) content: Content,
    pub(super) matcher: Matcher,
    pub(super) chats: Arc<dyn ChatStore>,
    pub(super) accounts: Arc<dyn AccountService>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) settings: EngineSettings,
    /// Tickets and transcripts; without it a request for a human gets the
    /// official service channel only.
    pub(super) handoff: Option<Handoff>,
    /// True when a support chat takes tickets, so an open ticket's messages
    /// are relayed instead of answered.
    pub(super) relay: bool,
    /// One lock per chat: a chat's turns run one at a time, so a double tap
    /// is seen after the first tap's state is saved. A std Mutex guards the
    /// map (never held across an await); the per-chat lock is Tokio's.
    locks: Mutex<HashMap<ChatId, Arc<tokio::sync::Mutex<()>>>>,
}

/// A turn in progress: the chat's state, the reply language, the replies.
pub(super) struct Turn {
    pub(super) chat: ChatId,
    pub(super) state: ChatState,
    pub(super) lang: Lang,
    pub(super) replies: Vec<Reply>,
    /// What the front must do for a ticket, if anything.
    pub(super) ticket: Option<TicketEvent>,
}

impl Turn {
    pub(super) fn say(&mut self, reply: Reply) {
        self.replies.push(reply);
    }
}

impl Engine {
    /// An engine over `content`, keeping chat state in `chats` and acting
    /// on accounts through `accounts`.
    pub fn new(
        content: Content,
        chats: Arc<dyn ChatStore>,
        accounts: Arc<dyn AccountService>,
        settings: EngineSettings,
    ) -> Engine {
        Engine::with_clock(content, chats, accounts, settings, Arc::new(SystemClock))
    }

    /// Same as [`Engine::new`] with a chosen clock.
    pub fn with_clock(
        content: Content,
        chats: Arc<dyn ChatStore>,
        accounts: Arc<dyn AccountService>,
        settings: EngineSettings,
        clock: Arc<dyn Clock>,
    ) -> Engine {
        let matcher = Matcher::new(&content);
        Engine {
            inner: Arc::new(Inner {
                content,
                matcher,
                chats,
                accounts,
                clock,
                settings,
                handoff: None,
                relay: false,
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

    /// Keeps tickets and transcripts in `handoff`; `relay` says a support
    /// chat takes the tickets. Called once, before the engine is shared.
    pub fn with_handoff(self, handoff: Handoff, relay: bool) -> Engine {
        let Ok(mut inner) = Arc::try_unwrap(self.inner) else {
            panic!("Engine::with_handoff must be called before the engine is cloned");
        };
        inner.handoff = Some(handoff);
        inner.relay = relay;
        Engine {
            inner: Arc::new(inner),
        }
    }

    /// Handles one input and returns what to send back, in order.
    pub async fn handle(&self, incoming: Incoming) -> Vec<Reply> {
        self.handle_full(incoming).await.replies
    }

    /// Handles one input: the replies, and what the front must do for a
    /// ticket (post its card, relay the message to the support chat).
    pub async fn handle_full(&self, incoming: Incoming) -> Handled {
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
                let reply = Reply::text(inner.content.text("service_unavailable", lang));
                return Handled {
                    replies: vec![reply],
                    ticket: None,
                };
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
            ticket: None,
        };
        if reset {
            tracing::warn!(
                chat = incoming.chat,
                "stored chat state was unreadable; reset"
            );
            let msg = inner.content.text("state_reset", turn.lang).to_string();
            turn.say(Reply::text(msg));
        }

        if self.relayed(&mut turn, &incoming.input).await {
            self.save(&turn).await;
            return Handled {
                replies: turn.replies,
                ticket: turn.ticket,
            };
        }
        let customer_text = match &incoming.input {
            Input::Text(t) => Some(t.clone()),
            _ => None,
        };

        if turn.state.closure.flow.awaits_result() {
            // The bot stopped while an account call was under way: finish it
            // (under the same idempotency key) before anything else.
            self.drive(&mut turn, Event::Resume).await;
        }

        match incoming.input {
            Input::Text(t) => self.on_text(&mut turn, &t).await,
            Input::Button(data) => self.on_button(&mut turn, &data).await,
            Input::Contact { phone, user_id } => {
                let own = user_id.is_some() && user_id == incoming.user;
                let first = turn.replies.len();
                match Phone::parse(&phone) {
                    Ok(phone) => self.drive(&mut turn, Event::Contact { phone, own }).await,
                    Err(_) => {
                        let vars = [("phone", phone.trim())];
                        let text = inner
                            .content
                            .text_with("identity_unknown", turn.lang, &vars);
                        turn.say(Reply::text(text));
                    }
                }
                // The one-time "share my phone number" keyboard has done its job.
                if let Some(reply) = turn.replies.get_mut(first) {
                    if reply.keyboard == Keyboard::Keep {
                        reply.keyboard = Keyboard::Remove;
                    }
                }
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
        self.save(&turn).await;
        self.record(&turn, customer_text.as_deref()).await;
        Handled {
            replies: turn.replies,
            ticket: turn.ticket,
        }
    }

    /// Writes the chat's state; false (and logged) when it could not be.
    pub(super) async fn save(&self, turn: &Turn) -> bool {
        match self
            .inner
            .chats
            .save(turn.chat, &turn.state.to_json())
            .await
        {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(chat = turn.chat, error = %e, "cannot save chat state");
                false
            }
        }
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
        // Small talk is looked for only in what the matcher could not take
        // ("hi", "谢谢" fall back): an answered question costs nothing more.
        let unsure = !matches!(outcome, Match::Answer { .. } | Match::Action { .. });
        let talk = unsure
            .then(|| self.inner.matcher.small_talk(text, written_in))
            .flatten();
        if let Some(talk) = talk {
            turn.state.misses = 0;
            let key = match talk {
                SmallTalk::Greeting => "greeting",
                SmallTalk::Thanks => "small_talk_thanks",
            };
            self.say_key(turn, key);
            if turn.state.closure.flow != Flow::Idle {
                self.drive(turn, Event::Question).await;
            }
            return;
        }
        match outcome {
            Match::Action { id, .. } => {
                turn.state.misses = 0;
                self.start_action(turn, id).await;
                return;
            }
            Match::Clarify { candidates } if asks_for_both_actions(&candidates) => {
                // "close my account" may mean either: the flow asks which.
                turn.state.misses = 0;
                let nonce = fresh_nonce();
                self.drive(
                    turn,
                    Event::Start {
                        action: None,
                        nonce,
                    },
                )
                .await;
                return;
            }
            Match::Answer { id, .. } => {
                turn.state.misses = 0;
                self.answer(turn, &id);
            }
            Match::Clarify { candidates } => {
                turn.state.misses = 0;
                turn.state.last_question = Some(text.to_string());
                self.clarify(turn, &candidates);
            }
            Match::Fallback => self.fallback(turn, Some(text)).await,
        }
        if turn.state.closure.flow != Flow::Idle {
            // Answered mid-flow: remind where the flow stands, keep its place.
            self.drive(turn, Event::Question).await;
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
            "stop" => self.start_action(turn, ActionId::Stop).await,
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
            Some(CallbackData::NoneOfThese) => {
                let question = turn.state.last_question.take();
                self.fallback(turn, question.as_deref()).await
            }
            Some(CallbackData::Flow(button)) => self.drive(turn, Event::from(button)).await,
            Some(CallbackData::Rate { ticket, stars }) => self.rate(turn, ticket, stars).await,
            // A "take" button belongs on a card in the support group only.
            Some(CallbackData::Faq(_) | CallbackData::Take(_)) | None => {
                self.say_key(turn, "button_expired")
            }
        }
    }

    pub(super) fn say_key(&self, turn: &mut Turn, key: &str) {
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

    /// Not understood: say so, offer a human, and keep the question for the
    /// unanswered-questions report.
    async fn fallback(&self, turn: &mut Turn, question: Option<&str>) {
        turn.state.misses += 1;
        if turn.state.misses >= 2 {
            turn.state.agent_reason = Some(Reason::RepeatedMisses);
        }
        if let (Some(handoff), Some(q)) = (&self.inner.handoff, question) {
            if let Err(e) = handoff.record_unanswered(turn.lang, q).await {
                tracing::warn!(chat = turn.chat, error = %e, "cannot record an unanswered question");
            }
        }
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
        let event = match action {
            ActionId::Agent => return self.escalate(turn).await,
            ActionId::Stop => Event::Abort { nonce: None },
            ActionId::TurnOff => Event::Start {
                action: Some(Closure::TurnOff),
                nonce: fresh_nonce(),
            },
            ActionId::Cancel => Event::Start {
                action: Some(Closure::Cancel),
                nonce: fresh_nonce(),
            },
        };
        self.drive(turn, event).await;
    }

    /// Runs the closure machine from `first` until it asks for nothing more:
    /// messages are rendered, account look-ups and actions are carried out
    /// and their results fed back as events.
    async fn drive(&self, turn: &mut Turn, first: Event) {
        let config = closure::Config {
            confirm_timeout_secs: self.inner.settings.confirm_timeout_secs,
        };
        let mut events = VecDeque::from([first]);
        let mut blocked_by: Option<Money> = None;
        while let Some(event) = events.pop_front() {
            let now = self.inner.clock.now().unix_timestamp();
            let state = std::mem::take(&mut turn.state.closure);
            let (next, effects) = closure::step(state, event, now, &config);
            turn.state.closure = next;
            for effect in effects {
                match effect {
                    Effect::Say(message) => {
                        if let Message::Blocked { outstanding, .. } = &message {
                            blocked_by = Some(*outstanding);
                        }
                        let reply = self.render(&message, turn.lang);
                        turn.say(reply);
                    }
                    Effect::LookUp { phone } => events.push_back(self.look_up(phone).await),
                    Effect::CheckStatus { phone } => {
                        events.push_back(self.check_status(phone).await)
                    }
                    Effect::Execute { action, phone, key } => {
                        // The flow is saved at "executing" with its key before
                        // anything acts, so a restart repeats the same key.
                        let result = if self.save(turn).await {
                            self.execute(turn.chat, action, phone, &key).await
                        } else {
                            ExecResult::Failed
                        };
                        events.push_back(Event::Executed { key, result });
                    }
                    Effect::OfferAgent { reason } => {
                        turn.state.agent_reason = Some(match blocked_by {
                            Some(amount) => Reason::outstanding(amount),
                            None => Reason::from(reason),
                        });
                        tracing::info!(
                            chat = turn.chat,
                            reason = reason.as_str(),
                            "offered a human"
                        );
                        let c = &self.inner.content;
                        let label = c.text("button_agent", turn.lang).to_string();
                        match turn.replies.last_mut() {
                            Some(last) => last.buttons.push(vec![Button {
                                label,
                                data: CallbackData::Start(ActionId::Agent),
                            }]),
                            None => turn.say(
                                Reply::default()
                                    .with_button(label, CallbackData::Start(ActionId::Agent)),
                            ),
                        }
                    }
                }
            }
        }
    }

    /// A closure message as the customer sees it.
    fn render(&self, message: &Message, lang: Lang) -> Reply {
        let c = &self.inner.content;
        let vars = message.vars();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut text = c.text_with(message.key(), lang, &vars);
        if let Message::Blocked { overdue: true, .. } = message {
            text.push_str("\n\n");
            text.push_str(c.text(BLOCKED_OVERDUE_KEY, lang));
        }
        let mut reply = Reply::text(text);
        for button in message.buttons() {
            reply = reply.with_button(
                c.text(message.button_label(button), lang),
                CallbackData::Flow(button),
            );
        }
        if message.asks_for_contact() {
            reply.keyboard = Keyboard::RequestContact(c.text(SHARE_CONTACT_KEY, lang).to_string());
        } else if matches!(message, Message::Aborted) {
            reply.keyboard = Keyboard::Remove;
        }
        reply
    }

    async fn look_up(&self, phone: Phone) -> Event {
        match self.inner.accounts.find_by_phone(&phone).await {
            Ok(Some(_)) => Event::AccountFound { phone },
            Ok(None) => Event::AccountNotFound { phone },
            Err(e) => {
                tracing::warn!(error = %e, "account look-up failed");
                Event::ServiceFailed
            }
        }
    }

    async fn check_status(&self, phone: Phone) -> Event {
        let account = AccountRef { phone };
        match self.inner.accounts.status(&account).await {
            Ok(status) => Event::Status {
                phone: account.phone,
                status,
            },
            Err(e) => {
                tracing::warn!(error = %e, "account status check failed");
                Event::ServiceFailed
            }
        }
    }

    async fn execute(
        &self,
        chat: ChatId,
        action: Closure,
        phone: Phone,
        key: &closure::IdempotencyKey,
    ) -> ExecResult {
        // The flow's key is unique within a chat; the chat id makes it unique.
        let Ok(key) = IdempotencyKey::parse(&format!("{chat}:{key}")) else {
            tracing::error!(chat, "flow key is not a valid idempotency key");
            return ExecResult::Failed;
        };
        let account = AccountRef { phone };
        match self
            .inner
            .accounts
            .execute(action, &account, &key, chat)
            .await
        {
            Ok(ActionOutcome::Done) => {
                tracing::info!(chat, action = action.as_str(), "closure action carried out");
                ExecResult::Done
            }
            Ok(ActionOutcome::AlreadyDone) => ExecResult::AlreadyDone,
            Err(e) => {
                tracing::warn!(chat, action = action.as_str(), error = %e, "closure action failed");
                ExecResult::Failed
            }
        }
    }
}

/// A new flow nonce.
fn fresh_nonce() -> Nonce {
    Nonce(rand::random())
}

/// True when a clarify choice is between turning off and cancelling.
fn asks_for_both_actions(candidates: &[Target]) -> bool {
    [ActionId::TurnOff, ActionId::Cancel]
        .iter()
        .all(|a| candidates.contains(&Target::Action(*a)))
}

/// The text key of the button that starts `action`.
fn start_button_key(action: ActionId) -> &'static str {
    match action {
        ActionId::TurnOff => "button_start_turn_off",
        ActionId::Cancel => "button_start_cancel",
        ActionId::Agent => "button_agent",
        ActionId::Stop => "button_abort",
    }
}
