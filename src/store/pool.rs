//! Opening the database: URL parsing, SQLite settings, migrations.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::Sqlite;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::error::{query, StoreError};

/// Where the bot keeps its data when no URL is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/jiebei.db";

/// How long a statement waits for another connection's write lock before
/// giving up; writes here are tiny, so this only matters under real trouble.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections to a database file: SQLite serialises writers anyway, a few
/// readers are enough for one bot process.
const FILE_CONNECTIONS: u32 = 8;

/// The bot's database. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pub(super) pool: SqlitePool,
    url: String,
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
        let pool = if in_memory {
            // Every connection to :memory: would be its own empty database,
            // so one connection, kept open for the pool's whole life.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .map_err(open)?
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
            SqlitePoolOptions::new()
                .max_connections(FILE_CONNECTIONS)
                .connect_with(
                    options
                        .create_if_missing(true)
                        .journal_mode(SqliteJournalMode::Wal),
                )
                .await
                .map_err(open)?
        };

        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                url: shown.clone(),
                source,
            })?;
        Ok(Store { pool, url: shown })
    }

    /// The URL this store was opened with, without credentials.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// One connection from the pool.
    pub(super) async fn acquire(&self) -> Result<PoolConnection<Sqlite>, StoreError> {
        self.pool
            .acquire()
            .await
            .map_err(query("get a database connection"))
    }

    /// Closes every connection; waits for queries in flight. Clones of this
    /// store stop working too.
    pub async fn close(&self) {
        self.pool.close().await;
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
