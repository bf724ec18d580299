//! Opening the database: URL parsing, SQLite settings, migrations.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Sqlite;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::error::{query, StoreError};

/// Where the bot keeps its data when no URL is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/jiebei.db";

/// How long a statement waits for another connection's write lock before
/// giving up; writes here are tiny, so this only matters under real trouble.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the log (SQLite's WAL) is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Reading connections to a database file: a few are enough for one bot
/// process.
const FILE_READERS: u32 = 8;

/// The bot's database. Cheap to clone: clones share its connection pools.
///
/// Every write goes through one connection (`writer`): SQLite lets one
/// writer in at a time anyway, and writers queued for that connection wait
/// their turn in order, where writers on several connections would wait in
/// SQLite's busy handler, which sleeps up to 100 ms between tries and gives
/// replies a long tail. Reads use `pool`, which in WAL mode never waits for
/// the writer.
#[derive(Debug, Clone)]
pub struct Store {
    pub(super) pool: SqlitePool,
    pub(super) writer: SqlitePool,
    url: String,
    /// Held by every clone: the checkpoint task ends once the last clone is
    /// gone (or the store is closed), so a dropped store leaves no task
    /// holding its connections open.
    _alive: Arc<()>,
}

impl Store {
    /// Opens (creating if missing) the database at `url` and brings its
    /// schema up to date. `sqlite://path` creates the file's folder on first
    /// use and runs in WAL mode; `sqlite::memory:` is a private in-memory
    /// database, gone when the `Store` and its clones are dropped.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let shown = redact(url);
        let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        else {
            return Err(StoreError::UnsupportedUrl(shown));
        };
        let path = rest.split('?').next().unwrap_or_default();
        let in_memory = path == ":memory:" || rest.contains("mode=memory");
        if path.is_empty() && !in_memory {
            return Err(StoreError::UnsupportedUrl(shown));
        }

        let open = |source| StoreError::Open {
            url: shown.clone(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open)?
            .busy_timeout(BUSY_TIMEOUT);
        let alive = Arc::new(());
        let (pool, writer) = if in_memory {
            // Every connection to :memory: would be its own empty database,
            // so one connection, kept open for the pool's whole life.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .map_err(open)?;
            (pool.clone(), pool)
        } else {
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // With WAL, NORMAL survives a crash of the bot; only a
                // power loss may drop the last commits. FULL halves the
                // updates a chat can be answered at (see the README).
                .synchronous(SqliteSynchronous::Normal);
            // The writer first: it creates the file and turns WAL on. It
            // never checkpoints: a checkpoint in a commit would hold every
            // queued write (a reply's worth of time after a busy spell);
            // `checkpoints` does it beside the writer instead.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone().pragma("wal_autocheckpoint", "0"))
                .await
                .map_err(open)?;
            let pool = SqlitePoolOptions::new()
                .max_connections(FILE_READERS)
                .connect_with(options)
                .await
                .map_err(open)?;
            tokio::spawn(checkpoints(pool.clone(), Arc::downgrade(&alive)));
            (pool, writer)
        };

        sqlx::migrate!("./migrations/sqlite")
            .run(&writer)
            .await
            .map_err(|source| StoreError::Migrate {
                url: shown.clone(),
                source,
            })?;
        Ok(Store {
            pool,
            writer,
            url: shown,
            _alive: alive,
        })
    }

    /// The URL this store was opened with, without credentials.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// One reading connection.
    pub(super) async fn acquire(&self) -> Result<PoolConnection<Sqlite>, StoreError> {
        self.pool
            .acquire()
            .await
            .map_err(query("get a database connection"))
    }

    /// The writing connection, when its turn comes.
    pub(super) async fn acquire_writer(&self) -> Result<PoolConnection<Sqlite>, StoreError> {
        self.writer
            .acquire()
            .await
            .map_err(query("get the database's writing connection"))
    }

    /// Closes every connection; waits for queries in flight. Clones of this
    /// store stop working too.
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// Copies the WAL back into the database file every [`CHECKPOINT_EVERY`],
/// on a reading connection, so writers never wait for it (a passive
/// checkpoint takes no lock a writer needs). Ends when the pool is closed
/// or every clone of its store is dropped.
async fn checkpoints(pool: SqlitePool, alive: Weak<()>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() || alive.strong_count() == 0 {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "cannot checkpoint the database log");
        }
    }
}

/// The current time as the database stores it: RFC 3339, UTC.
pub(super) fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .expect("the current UTC time always formats as RFC 3339")
}

/// The URL with any `user:password@` removed, fit for messages and logs.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    match authority.rfind('@') {
        Some(at) => format!("{}://***@{}", &url[..scheme_end], &rest[at + 1..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_appear_in_a_shown_url() {
        assert_eq!(
            redact("postgres://bot:s3cret@db:5432/jiebei"),
            "postgres://***@db:5432/jiebei"
        );
        assert_eq!(redact("sqlite://data/jiebei.db"), "sqlite://data/jiebei.db");
        assert_eq!(redact("sqlite://data/a@b.db"), "sqlite://data/a@b.db");
    }

    #[tokio::test]
    async fn a_url_of_another_kind_is_refused_with_a_clear_message() {
        let err = Store::connect("mysql://localhost/x").await.unwrap_err();
        assert!(err
            .to_string()
            .starts_with("unsupported database URL `mysql://localhost/x`"));
    }
}
