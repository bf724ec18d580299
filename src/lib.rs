//! # jiebei-bot
//!
//! A support bot for closing ("turning off borrowing") or cancelling
//! ("deregistering") an Ant Jiebei credit account. The core knows nothing of
//! Telegram; fronts translate updates into [`engine::Input`] and render the
//! [`engine::Reply`] values the engine returns.
//!
//! # Layout
//!
//! - [`lang`]: the two languages and how a reply's language is chosen.
//! - [`content`]: loads the YAML content (FAQ, intents, topics, texts,
//!   matcher settings) and checks it; errors name file, entry and field.
//! - [`matcher`]: normalises and tokenises a message and scores it against
//!   the content, giving an answer, an action, a clarify choice or a fallback.
//! - [`closure`]: the pure state machine that turns borrowing off or cancels
//!   an account, `step(state, event) -> (state, effects)`.
//! - [`accounts`]: the `AccountService` trait, the built-in ledger and the
//!   HTTP client for an operator's account system.
//! - [`store`]: the database (sqlx, SQLite by default): chat state, accounts,
//!   the audit log, tickets, unanswered questions.
//! - [`handoff`]: escalation to a human: tickets, masked transcripts, the
//!   ticket ↔ support-group mapping, ratings, unanswered questions, and
//!   the `tickets` / `unanswered` commands.
//! - [`engine`]: one conversation turn: classify the input, drive the closure
//!   machine, execute its effects, persist the chat, return replies.
//! - [`console`]: the terminal fronts on the same engine: the customer's
//!   chat, and the agent's desk for trying escalation without Telegram.
//! - [`telegram`]: the Telegram front (teloxide): polling or webhook,
//!   rendering within Telegram's limits, graceful stop, and the support
//!   group's desk (ticket cards, relay both ways, take, resolve).
//! - [`callback`]: the codec for the data buttons carry.
//! - [`config`]: flags and environment variables shared by every command.
//! - [`eval`]: measures the matcher on a labelled TSV file.

pub mod accounts;
pub mod callback;
pub mod closure;
pub mod config;
pub mod console;
pub mod content;
pub mod engine;
pub mod eval;
pub mod handoff;
pub mod lang;
pub mod matcher;
pub mod store;
pub mod telegram;
