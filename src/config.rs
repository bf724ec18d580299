//! Settings from flags and environment variables, checked once at start.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::accounts::{self, AccountService, BadServiceUrl};
use crate::content::{Content, ContentError};
use crate::engine::EngineSettings;
use crate::store::{Store, StoreError, DEFAULT_DATABASE_URL};

/// Settings every command shares (flags override environment variables).
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Load content from this folder instead of the content built into the binary.
    #[arg(long, global = true, env = "JIEBEI_CONTENT_DIR", value_name = "DIR")]
    pub content: Option<PathBuf>,

    /// Database URL: sqlite://PATH (default sqlite://data/jiebei.db).
    #[arg(long, global = true, env = "JIEBEI_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,

    /// Minutes a pending confirmation stays valid.
    #[arg(long, global = true, env = "JIEBEI_CONFIRM_MINUTES", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub confirm_minutes: u32,

    /// Base URL of the operator's account system (JSON over HTTP); without
    /// it the built-in ledger in the database is used.
    #[arg(long, global = true, env = "JIEBEI_ACCOUNTS_URL", value_name = "URL")]
    pub accounts_url: Option<String>,

    /// Seconds to wait for the account system before giving up.
    #[arg(long, global = true, env = "JIEBEI_ACCOUNTS_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=120))]
    pub accounts_timeout: u64,

    /// Days back `/topics` looks (default: `window_days` in topics.yaml).
    #[arg(long, global = true, env = "JIEBEI_TOPIC_WINDOW_DAYS",
          value_parser = clap::value_parser!(u32).range(1..=366))]
    pub topic_window_days: Option<u32>,
}

impl CommonArgs {
    /// Loads the content the flags point at, or the built-in content.
    pub fn load_content(&self) -> Result<Content, ContentError> {
        match &self.content {
            Some(dir) => Content::load_dir(dir),
            None => Content::builtin(),
        }
    }

    /// The database URL in force.
    pub fn database_url(&self) -> &str {
        self.database_url.as_deref().unwrap_or(DEFAULT_DATABASE_URL)
    }

    /// Connects to the database (creating and migrating it as needed).
    pub async fn open_store(&self) -> Result<Store, StoreError> {
        Store::connect(self.database_url()).await
    }

    /// The account service: the operator's system when configured, else the
    /// built-in ledger.
    pub fn account_service(&self, store: Store) -> Result<Arc<dyn AccountService>, BadServiceUrl> {
        accounts::open(
            store,
            self.accounts_url.as_deref(),
            Duration::from_secs(self.accounts_timeout),
        )
    }

    /// The engine's settings given the loaded content.
    pub fn engine_settings(&self, content: &Content) -> EngineSettings {
        EngineSettings {
            topic_window_days: self.topic_window_days.unwrap_or(content.topic_window_days),
            confirm_timeout_secs: i64::from(self.confirm_minutes) * 60,
        }
    }
}
