-- Escalation to a human: tickets, their transcripts, the mapping between a
-- ticket and its place in the support group, and the questions the bot
-- could not answer. Times are RFC 3339 strings in UTC to the second
-- (`2026-11-25T09:00:00Z`), so they compare correctly as text. Every text
-- a customer or agent wrote is stored masked (phone, ID-card and card
-- numbers hidden but for their last four digits). Apart from the rowid
-- primary keys, every statement here is also valid PostgreSQL.

-- One row per ticket. `id` is shown as T-000042.
CREATE TABLE tickets (
    id                   INTEGER PRIMARY KEY,
    chat_id              BIGINT  NOT NULL,  -- the customer's chat
    lang                 TEXT    NOT NULL CHECK (lang IN ('en', 'zh')),
    reason               TEXT    NOT NULL CHECK (reason IN ('asked', 'repeated_misses', 'blocked_closure')),
    reason_detail        TEXT,              -- e.g. `outstanding 1200.50`, `unknown_phone`
    status               TEXT    NOT NULL CHECK (status IN ('open', 'assigned', 'resolved')),
    assigned_to          TEXT,              -- the agent who took it
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    first_agent_reply_at TEXT,
    resolved_at          TEXT,
    rating               INTEGER CHECK (rating BETWEEN 1 AND 5),
    -- Where the ticket lives in the support group: the group, its forum
    -- topic (when the group is a forum) and the card message.
    support_chat_id      BIGINT,
    support_thread_id    BIGINT,
    card_message_id      BIGINT
);

-- A customer has at most one ticket that is not resolved.
CREATE UNIQUE INDEX tickets_one_open_per_chat ON tickets (chat_id) WHERE status <> 'resolved';
CREATE INDEX tickets_by_status ON tickets (status);
CREATE INDEX tickets_by_thread ON tickets (support_chat_id, support_thread_id);

-- Every reason a ticket was asked for, the opening one included: asking
-- again while a ticket is open adds a row here instead of a ticket.
CREATE TABLE ticket_reasons (
    id        INTEGER PRIMARY KEY,
    ticket_id BIGINT  NOT NULL REFERENCES tickets (id),
    reason    TEXT    NOT NULL CHECK (reason IN ('asked', 'repeated_misses', 'blocked_closure')),
    detail    TEXT,
    at        TEXT    NOT NULL
);

CREATE INDEX ticket_reasons_by_ticket ON ticket_reasons (ticket_id, id);

-- The last turns of every chat (a rolling window, pruned on write), so a
-- new ticket starts with what led to it.
CREATE TABLE chat_turns (
    id      INTEGER PRIMARY KEY,
    chat_id BIGINT  NOT NULL,
    role    TEXT    NOT NULL CHECK (role IN ('customer', 'bot', 'agent')),
    text    TEXT    NOT NULL,
    at      TEXT    NOT NULL
);

CREATE INDEX chat_turns_by_chat ON chat_turns (chat_id, id);

-- A ticket's transcript: the chat's window when it opened, then every turn
-- while it stays open. Kept after resolution.
CREATE TABLE ticket_turns (
    id        INTEGER PRIMARY KEY,
    ticket_id BIGINT  NOT NULL REFERENCES tickets (id),
    role      TEXT    NOT NULL CHECK (role IN ('customer', 'bot', 'agent')),
    text      TEXT    NOT NULL,
    at        TEXT    NOT NULL
);

CREATE INDEX ticket_turns_by_ticket ON ticket_turns (ticket_id, id);

-- Messages in the support group that belong to a ticket (its card, the
-- customer's relayed messages), so an agent's reply to one of them reaches
-- the right customer. A message id is only unique within its chat.
CREATE TABLE ticket_messages (
    support_chat_id    BIGINT NOT NULL,
    support_message_id BIGINT NOT NULL,
    ticket_id          BIGINT NOT NULL REFERENCES tickets (id),
    PRIMARY KEY (support_chat_id, support_message_id)
);

-- Fallbacks and "none of these" presses: what customers asked that the
-- content does not answer.
CREATE TABLE unanswered (
    id   INTEGER PRIMARY KEY,
    lang TEXT    NOT NULL CHECK (lang IN ('en', 'zh')),
    text TEXT    NOT NULL,
    at   TEXT    NOT NULL
);

CREATE INDEX unanswered_by_time ON unanswered (at);
