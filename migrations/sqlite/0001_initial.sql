-- The bot's database: chat state, the built-in account ledger, the audit log
-- of executed closure actions, and the Telegram updates already handled.
-- Times are RFC 3339 strings in UTC. Apart from the rowid primary key and
-- the triggers, every statement here is also valid PostgreSQL.

CREATE TABLE chat_state (
    chat_id    BIGINT PRIMARY KEY,
    state      TEXT   NOT NULL,  -- the engine's per-chat state as JSON
    updated_at TEXT   NOT NULL
);

CREATE TABLE accounts (
    phone             TEXT    PRIMARY KEY,  -- E.164, e.g. +8613800000001
    state             TEXT    NOT NULL CHECK (state IN ('active', 'borrowing_off', 'cancelled')),
    outstanding_cents BIGINT  NOT NULL CHECK (outstanding_cents >= 0),
    overdue           BOOLEAN NOT NULL,
    updated_at        TEXT    NOT NULL
);

-- Append-only. `kind` says what a row is:
--   attempt  an external service is about to be asked to act (result `pending`);
--   outcome  the action is done, or was found already done: the key is settled;
--   failure  nothing was done (refused, unreachable, timed out, ...).
-- At most one outcome per idempotency key: that is what makes a key act once.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    time            TEXT   NOT NULL,
    chat_id         BIGINT NOT NULL,
    phone           TEXT   NOT NULL,
    action          TEXT   NOT NULL CHECK (action IN ('turn_off', 'cancel')),
    idempotency_key TEXT   NOT NULL,
    kind            TEXT   NOT NULL CHECK (kind IN ('attempt', 'outcome', 'failure')),
    result          TEXT   NOT NULL,
    detail          TEXT
);

CREATE UNIQUE INDEX audit_log_one_outcome_per_key ON audit_log (idempotency_key) WHERE kind = 'outcome';
CREATE INDEX audit_log_by_key ON audit_log (idempotency_key);

CREATE TRIGGER audit_log_rows_are_never_updated BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_rows_are_never_deleted BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Telegram may deliver an update twice; the first delivery inserts its id.
CREATE TABLE processed_updates (
    update_id BIGINT PRIMARY KEY,
    at        TEXT   NOT NULL
);
