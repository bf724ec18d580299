//! How the bot reaches Telegram: the token and API address (teloxide's own
//! `TELOXIDE_*` variables), polling or webhook, the send rate limits, and
//! the support group tickets go to.
//! `TelegramArgs` mirrors the command line; `TelegramSettings` holds the
//! checked values `run` trusts.

use std::net::SocketAddr;

use clap::Args;
use rand::distributions::{Alphanumeric, DistString};
use teloxide::adaptors::throttle::Limits;

use super::error::TelegramError;
use crate::lang::Lang;

/// teloxide's variable for the bot token.
const TOKEN_VAR: &str = "TELOXIDE_TOKEN";
/// teloxide's variable for a different Bot API server.
const API_URL_VAR: &str = "TELOXIDE_API_URL";
/// teloxide's variable for a proxy.
const PROXY_VAR: &str = "TELOXIDE_PROXY";

/// Flags of `jiebei-bot run` (flags override environment variables).
#[derive(Debug, Clone, Default, Args)]
pub struct TelegramArgs {
    /// Receive updates by webhook at this public HTTPS URL instead of long polling.
    #[arg(
        long,
        global = true,
        env = "JIEBEI_WEBHOOK_URL",
        value_name = "URL",
        requires = "listen"
    )]
    pub webhook_url: Option<String>,

    /// Address the webhook server listens on, e.g. 0.0.0.0:8443.
    #[arg(long, global = true, env = "JIEBEI_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,

    /// Secret token Telegram must send with every webhook request
    /// (A-Z, a-z, 0-9, _ and -; generated at start when not given).
    /// Replicas behind one webhook URL must share it.
    #[arg(
        long,
        global = true,
        env = "JIEBEI_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,

    /// The support group tickets go to: its chat id, such as -1001234567890
    /// (the bot must be a member). Without it, customers who ask for a human
    /// are given the official service channel and tickets wait in
    /// `jiebei-bot tickets`.
    #[arg(
        long,
        global = true,
        env = "JIEBEI_SUPPORT_CHAT_ID",
        value_name = "CHAT_ID",
        allow_negative_numbers = true
    )]
    pub support_chat_id: Option<String>,

    /// The language of the bot's messages in the support group: en (the
    /// default) or zh.
    #[arg(long, global = true, env = "JIEBEI_SUPPORT_LANG", value_name = "LANG")]
    pub support_lang: Option<Lang>,
}

/// How updates arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `getUpdates` long polling (deletes any webhook first).
    Polling,
    /// Telegram posts updates to `url`; the server listens on `listen` and
    /// refuses requests without `secret` in `X-Telegram-Bot-Api-Secret-Token`.
    Webhook {
        /// The public URL registered with `setWebhook`.
        url: reqwest::Url,
        /// The local address to serve on.
        listen: SocketAddr,
        /// The secret token checked on every request.
        secret: String,
    },
}

/// The group where agents take tickets and answer customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportGroup {
    /// Its chat id (negative; a supergroup's starts with -100).
    pub chat: i64,
    /// The language the bot speaks there.
    pub lang: Lang,
}

/// Send limits the `Throttle` adaptor keeps to.
pub type RateLimits = Limits;

/// Checked settings for [`run`](super::run).
#[derive(Clone)]
pub struct TelegramSettings {
    /// The bot token from @BotFather.
    pub token: String,
    /// The Bot API server (`https://api.telegram.org/` unless overridden).
    pub api_url: reqwest::Url,
    /// A proxy for every request to the Bot API.
    pub proxy: Option<String>,
    /// Polling or webhook.
    pub mode: Mode,
    /// Limits for `sendMessage`; `None` sends without queueing (benchmarks).
    pub limits: Option<RateLimits>,
    /// The support group, when tickets are relayed to one.
    pub support: Option<SupportGroup>,
}

impl std::fmt::Debug for TelegramSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token and the webhook secret never reach a log line.
        f.debug_struct("TelegramSettings")
            .field("api_url", &self.api_url.as_str())
            .field("proxy", &self.proxy.is_some())
            .field("webhook", &matches!(self.mode, Mode::Webhook { .. }))
            .field("limits", &self.limits)
            .field("support", &self.support)
            .finish_non_exhaustive()
    }
}

impl TelegramSettings {
    /// Telegram's documented limits: about one message a second per chat
    /// (60 a minute), 20 a minute in a group, 30 a second in all.
    pub fn telegram_limits() -> RateLimits {
        Limits {
            messages_per_sec_chat: 1,
            messages_per_min_chat: 60,
            messages_per_min_channel_or_supergroup: 20,
            messages_per_sec_overall: 30,
        }
    }

    /// Long polling against `api_url` with Telegram's limits.
    pub fn polling(token: impl Into<String>, api_url: reqwest::Url) -> TelegramSettings {
        TelegramSettings {
            token: token.into(),
            api_url,
            proxy: None,
            mode: Mode::Polling,
            limits: Some(TelegramSettings::telegram_limits()),
            support: None,
        }
    }

    /// Reads `TELOXIDE_TOKEN`, `TELOXIDE_API_URL` and `TELOXIDE_PROXY` the
    /// way teloxide's `Bot::from_env` does (but fails with an error instead
    /// of a panic) and checks the flags.
    pub fn from_env(args: &TelegramArgs) -> Result<TelegramSettings, TelegramError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let token = var(TOKEN_VAR).ok_or(TelegramError::NoToken)?;
        let api_url = match var(API_URL_VAR) {
            Some(url) => parse_api_url(&url)?,
            None => parse_api_url(teloxide::net::TELEGRAM_API_URL)?,
        };
        let proxy = var(PROXY_VAR);
        if let Some(p) = &proxy {
            reqwest::Proxy::all(p).map_err(|e| TelegramError::Config {
                what: PROXY_VAR,
                why: e.to_string(),
            })?;
        }
        let mut settings = TelegramSettings::polling(token, api_url);
        settings.proxy = proxy;
        settings.mode = mode(args)?;
        settings.support = support(args)?;
        Ok(settings)
    }
}

/// The support group from `--support-chat-id`, if given: a group's id, so
/// that no private chat can ever act as the support group.
fn support(args: &TelegramArgs) -> Result<Option<SupportGroup>, TelegramError> {
    let Some(raw) = args.support_chat_id.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if raw.is_empty() {
        return Ok(None);
    }
    let why = match raw.parse::<i64>() {
        Ok(chat) if chat < 0 => {
            return Ok(Some(SupportGroup {
                chat,
                lang: args.support_lang.unwrap_or(Lang::En),
            }))
        }
        Ok(_) => {
            "a group's chat id is negative (a supergroup's starts with -100); this is a user's"
        }
        Err(_) => "expected a chat id such as -1001234567890",
    };
    Err(TelegramError::Config {
        what: "--support-chat-id (JIEBEI_SUPPORT_CHAT_ID)",
        why: format!("{raw:?}: {why}"),
    })
}

fn parse_api_url(url: &str) -> Result<reqwest::Url, TelegramError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| TelegramError::Config {
        what: API_URL_VAR,
        why: e.to_string(),
    })?;
    if parsed.cannot_be_a_base() {
        return Err(TelegramError::Config {
            what: API_URL_VAR,
            why: "not a base URL".into(),
        });
    }
    Ok(parsed)
}

/// Polling unless `--webhook-url` is given; a webhook needs `--listen`.
fn mode(args: &TelegramArgs) -> Result<Mode, TelegramError> {
    let Some(url) = &args.webhook_url else {
        return Ok(Mode::Polling);
    };
    let config = |what: &'static str, why: String| TelegramError::Config { what, why };
    let url = reqwest::Url::parse(url).map_err(|e| config("--webhook-url", e.to_string()))?;
    if url.scheme() != "https" {
        return Err(config(
            "--webhook-url",
            "Telegram delivers webhooks over HTTPS only".into(),
        ));
    }
    let listen = args
        .listen
        .as_deref()
        .ok_or_else(|| config("--listen", "missing".into()))?;
    let listen: SocketAddr = listen.parse().map_err(|_| {
        config(
            "--listen",
            format!("{listen:?} is not an address like 0.0.0.0:8443"),
        )
    })?;
    let secret = match &args.webhook_secret {
        Some(s) => check_secret(s).map_err(|why| config("--webhook-secret", why))?,
        None => Alphanumeric.sample_string(&mut rand::thread_rng(), 32),
    };
    Ok(Mode::Webhook {
        url,
        listen,
        secret,
    })
}

/// Telegram's rule: 1 to 256 characters from A-Z, a-z, 0-9, `_` and `-`.
pub(crate) fn check_secret(secret: &str) -> Result<String, String> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    if (1..=256).contains(&secret.len()) && secret.bytes().all(allowed) {
        Ok(secret.to_string())
    } else {
        Err("use 1 to 256 characters from A-Z, a-z, 0-9, _ and -".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: Option<&str>, listen: Option<&str>, secret: Option<&str>) -> TelegramArgs {
        TelegramArgs {
            webhook_url: url.map(str::to_string),
            listen: listen.map(str::to_string),
            webhook_secret: secret.map(str::to_string),
            ..TelegramArgs::default()
        }
    }

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        telegram: TelegramArgs,
        #[command(subcommand)]
        command: Option<Sub>,
    }

    #[derive(Debug, clap::Subcommand)]
    enum Sub {
        Run,
    }

    #[test]
    fn the_flags_parse_before_or_after_the_subcommand() {
        use clap::{CommandFactory, Parser};
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "jiebei-bot",
            "run",
            "--webhook-url",
            "https://example.com/hook",
            "--listen",
            "0.0.0.0:8443",
        ])
        .unwrap();
        assert_eq!(cli.telegram.listen.as_deref(), Some("0.0.0.0:8443"));
        assert!(Cli::try_parse_from(["jiebei-bot", "--webhook-url", "https://x.io/h"]).is_err());
    }

    #[test]
    fn a_support_chat_is_a_negative_id_and_may_follow_the_subcommand() {
        use clap::Parser;
        let cli = Cli::try_parse_from([
            "jiebei-bot",
            "run",
            "--support-chat-id",
            "-1001234567890",
            "--support-lang",
            "zh",
        ])
        .unwrap();
        assert_eq!(
            support(&cli.telegram).unwrap(),
            Some(SupportGroup {
                chat: -1_001_234_567_890,
                lang: Lang::Zh
            })
        );
        let with = |id: &str| TelegramArgs {
            support_chat_id: Some(id.into()),
            ..TelegramArgs::default()
        };
        assert_eq!(support(&with("")).unwrap(), None);
        assert!(support(&with("12345")).is_err(), "a user's chat");
        assert!(support(&with("@support")).is_err());
        assert_eq!(support(&TelegramArgs::default()).unwrap(), None);
    }

    #[test]
    fn no_webhook_url_means_long_polling() {
        assert_eq!(mode(&args(None, None, None)).unwrap(), Mode::Polling);
    }

    #[test]
    fn a_webhook_needs_https_and_a_listen_address() {
        assert!(mode(&args(
            Some("http://example.com/hook"),
            Some("0.0.0.0:8443"),
            None
        ))
        .is_err());
        assert!(mode(&args(Some("https://example.com/hook"), None, None)).is_err());
        assert!(mode(&args(
            Some("https://example.com/hook"),
            Some("nowhere"),
            None
        ))
        .is_err());
        let Mode::Webhook { secret, .. } = mode(&args(
            Some("https://example.com/hook"),
            Some("0.0.0.0:8443"),
            None,
        ))
        .unwrap() else {
            panic!("expected a webhook");
        };
        assert_eq!(
            check_secret(&secret),
            Ok(secret.clone()),
            "a generated secret is valid"
        );
    }

    #[test]
    fn a_secret_with_characters_telegram_refuses_is_an_error() {
        let bad = args(
            Some("https://example.com/hook"),
            Some("0.0.0.0:8443"),
            Some("a b"),
        );
        assert!(mode(&bad).is_err());
        assert!(check_secret("").is_err());
        assert!(check_secret(&"a".repeat(257)).is_err());
    }
}
