//! The database: pool, migrations, chat state and the audit log.
