//! What can go wrong with the database, said so an operator can act on it.

/// A database operation that failed; the message names what was being done.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL is not one this build can open.
    #[error(
        "unsupported database URL `{0}` (expected sqlite://path/to/file.db or sqlite::memory:)"
    )]
    UnsupportedUrl(String),
    /// The folder that should hold the database file cannot be created.
    #[error("cannot create folder {path} for the database: {source}")]
    CreateDir {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database cannot be opened.
    #[error("cannot open database {url}: {source}")]
    Open {
        /// The database URL, without credentials.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// The schema migrations failed.
    #[error("cannot bring database {url} up to date: {source}")]
    Migrate {
        /// The database URL, without credentials.
        url: String,
        /// Why.
        source: sqlx::migrate::MigrateError,
    },
    /// A query failed.
    #[error("cannot {what}: {source}")]
    Query {
        /// What was being done, e.g. "save chat state".
        what: &'static str,
        /// Why.
        source: sqlx::Error,
    },
    /// A row holds a value the code cannot read back.
    #[error("the database holds a bad {what}: {detail}")]
    Corrupt {
        /// Which value, e.g. "account phone".
        what: &'static str,
        /// The offending value and why it is refused.
        detail: String,
    },
}

/// Wraps a query error with what was being done.
pub(crate) fn query(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { what, source }
}

/// Wraps a value that does not parse back with which value it was.
pub(crate) fn corrupt<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> StoreError {
    move |e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    }
}
