-- Batches, result digests, reminder rules and housekeeping (issue 6, point 6).

-- A message to a list or a segment of patients. The recipients are fixed when the batch is created;
-- the batch-publisher job creates their notifications in chunks and moves the cursor and the counters
-- in the same transaction as each chunk, so a restart continues after the last committed chunk.
CREATE TABLE notification_batch (
    id                  uuid        PRIMARY KEY,
    type                text        NOT NULL,
    priority            text        NOT NULL CHECK (priority IN ('NORMAL', 'URGENT')),
    parameters          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    not_before          timestamptz,
    selection           jsonb       NOT NULL,
    state               text        NOT NULL CHECK (state IN ('QUEUED', 'RUNNING', 'COMPLETED', 'CANCELLED')),
    total               integer     NOT NULL DEFAULT 0,
    created             integer     NOT NULL DEFAULT 0,
    skipped             integer     NOT NULL DEFAULT 0,
    waiting_for_contact integer     NOT NULL DEFAULT 0,
    cursor_seq          integer     NOT NULL DEFAULT 0,
    created_by          text        NOT NULL,
    cancelled_by        text,
    created_at          timestamptz NOT NULL,
    started_at          timestamptz,
    finished_at         timestamptz,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX notification_batch_recent ON notification_batch (created_at DESC, id DESC);

-- The recipients of a batch in the order they are notified.
CREATE TABLE notification_batch_recipient (
    batch_id   uuid    NOT NULL REFERENCES notification_batch (id) ON DELETE CASCADE,
    seq        integer NOT NULL,
    patient_id text    NOT NULL,
    PRIMARY KEY (batch_id, seq)
);

-- Result digests (notification.digests.window > 0): the notice that gathers a patient's results released
-- within the window, held until closes_at; members counts the results it stands for.
CREATE TABLE result_digest (
    notification_id uuid        PRIMARY KEY REFERENCES notification (id) ON DELETE CASCADE,
    patient_id      text        NOT NULL,
    closes_at       timestamptz NOT NULL,
    members         integer     NOT NULL CHECK (members > 0)
);
CREATE INDEX result_digest_patient ON result_digest (patient_id, closes_at DESC);

-- Each result taken into a digest, by the result's idempotency key and event id: a redelivered event or
-- a republished result finds itself here and changes nothing.
CREATE TABLE result_digest_member (
    idempotency_key text        PRIMARY KEY,
    source_event_id text        NOT NULL UNIQUE,
    notification_id uuid        NOT NULL REFERENCES result_digest (notification_id) ON DELETE CASCADE,
    joined_at       timestamptz NOT NULL
);
CREATE INDEX result_digest_member_digest ON result_digest_member (notification_id);

-- Recurring reminders: a cron expression (evaluated in the rule's timezone) or a fixed interval. The cron
-- role creates each due occurrence's notification and moves next_run_at in one transaction.
CREATE TABLE reminder_rule (
    id           uuid        PRIMARY KEY,
    patient_id   text        NOT NULL,
    type         text        NOT NULL,
    priority     text        NOT NULL CHECK (priority IN ('NORMAL', 'URGENT')),
    parameters   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    cron         text,
    every        interval,
    timezone     text        NOT NULL,
    ends_at      timestamptz,
    next_run_at  timestamptz,
    last_run_at  timestamptz,
    fired        integer     NOT NULL DEFAULT 0,
    missed       integer     NOT NULL DEFAULT 0,
    active       boolean     NOT NULL DEFAULT true,
    created_by   text        NOT NULL,
    deleted_by   text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CHECK ((cron IS NULL) <> (every IS NULL))
);
CREATE INDEX reminder_rule_due ON reminder_rule (next_run_at) WHERE active;
CREATE INDEX reminder_rule_patient ON reminder_rule (patient_id, created_at DESC, id DESC);
CREATE INDEX reminder_rule_recent ON reminder_rule (created_at DESC, id DESC);

-- One delivery report per UTC day, rebuilt when asked again. The report reads a day of notifications by
-- creation time: rows arrive in time order, so a BRIN index finds the day at almost no cost per insert.
CREATE TABLE notification_daily_report (
    day      date        PRIMARY KEY,
    built_at timestamptz NOT NULL,
    content  jsonb       NOT NULL
);
CREATE INDEX notification_created_brin ON notification USING brin (created_at);

-- Message bodies (parameters, rendered text) are purged after the retention period; ids, states,
-- timestamps and reasons stay. The partial index holds only notifications whose body is still kept.
ALTER TABLE notification ADD COLUMN body_purged_at timestamptz;
CREATE INDEX notification_body_kept ON notification (created_at) WHERE body_purged_at IS NULL;
