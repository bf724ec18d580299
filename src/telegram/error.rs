//! What can stop the Telegram front. Trouble with a single update is never
//! one of these: it is logged with its chat and the bot goes on.

/// Why the bot could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    /// `TELOXIDE_TOKEN` is not set.
    #[error("TELOXIDE_TOKEN is not set: create a bot with @BotFather and export its token")]
    NoToken,
    /// A setting is malformed.
    #[error("invalid {what}: {why}")]
    Config {
        /// The variable or flag.
        what: &'static str,
        /// What is wrong with it.
        why: String,
    },
    /// Telegram refused the token.
    #[error("Telegram refused the bot token (check TELOXIDE_TOKEN)")]
    InvalidToken,
    /// The Bot API could not be reached or answered with an error at start.
    #[error("cannot reach the Telegram Bot API: {0}")]
    Api(String),
    /// The webhook server could not listen.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}
