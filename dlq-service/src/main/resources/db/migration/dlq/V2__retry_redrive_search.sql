-- Automatic retry, operator redrive (single, edited, bulk) and search.

-- The entry's retry and redrive state.
ALTER TABLE dead_letter_entry
    -- automatic redrives so far; the retry policy's max attempts bounds it
    ADD COLUMN retry_count               integer     NOT NULL DEFAULT 0,
    -- the redrive in flight while the entry is RETRYING (dead_letter_redrive.id)
    ADD COLUMN redrive_id                bigint,
    ADD COLUMN redriven_at               timestamptz,
    ADD COLUMN resolved_at               timestamptz,
    ADD COLUMN status_reason             text,
    ADD COLUMN status_changed_at         timestamptz,
    ADD COLUMN status_changed_by         text,
    -- an operator's edited payload, kept beside the original (same encryption as the original)
    ADD COLUMN edited_payload_ciphertext bytea,
    ADD COLUMN edited_payload_key_id     text,
    ADD COLUMN edited_payload_size       integer,
    ADD COLUMN edited_at                 timestamptz,
    ADD COLUMN edited_by                 text;

-- Each failure in the history also says which record failed (the original, or a redriven copy).
ALTER TABLE dead_letter_attempt
    ADD COLUMN record_topic      text,
    ADD COLUMN record_partition  integer,
    ADD COLUMN record_offset     bigint,
    ADD COLUMN error_cause_class text,
    ADD COLUMN fingerprint       text;

-- Retry policy per original topic; a topic without a row uses the configured defaults.
CREATE TABLE retry_policy (
    topic            text             PRIMARY KEY,
    max_attempts     integer          NOT NULL CHECK (max_attempts BETWEEN 0 AND 100),
    initial_delay_ms bigint           NOT NULL CHECK (initial_delay_ms >= 1000),
    multiplier       double precision NOT NULL CHECK (multiplier BETWEEN 1 AND 10),
    max_delay_ms     bigint           NOT NULL,
    jitter           double precision NOT NULL CHECK (jitter BETWEEN 0 AND 1),
    updated_at       timestamptz      NOT NULL DEFAULT now(),
    updated_by       text             NOT NULL,
    CHECK (max_delay_ms >= initial_delay_ms)
);

-- Every record the DLQ sent back (automatic retry, operator redrive, bulk), with its outcome as the
-- origin reported it. The target coordinates match the outcome and a new failure to the redrive.
CREATE TABLE dead_letter_redrive (
    id                    bigserial   PRIMARY KEY,
    entry_id              uuid        NOT NULL REFERENCES dead_letter_entry (id) ON DELETE CASCADE,
    kind                  text        NOT NULL CHECK (kind IN ('AUTOMATIC', 'MANUAL', 'EDITED', 'BULK')),
    attempt               integer     NOT NULL,
    bulk_id               uuid,
    actor                 text        NOT NULL,
    reason                text,
    target_topic          text        NOT NULL,
    target_partition      integer     NOT NULL,
    target_offset         bigint      NOT NULL,
    sent_at               timestamptz NOT NULL DEFAULT now(),
    outcome               text        CHECK (outcome IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT')),
    outcome_at            timestamptz,
    outcome_service       text,
    outcome_error_class   text,
    outcome_error_message text
);
CREATE INDEX dead_letter_redrive_entry ON dead_letter_redrive (entry_id, id DESC);
CREATE INDEX dead_letter_redrive_target ON dead_letter_redrive (target_topic, target_partition, target_offset);
CREATE INDEX dead_letter_redrive_sent ON dead_letter_redrive (sent_at);

-- Bulk redrives: the selection is snapshotted into items when the job is created; each item is sent at
-- most once per bulk job, marked in the same transaction that advances the progress counters.
CREATE TABLE bulk_redrive (
    id              uuid        PRIMARY KEY,
    status          text        NOT NULL CHECK (status IN ('RUNNING', 'PAUSED', 'CANCELLED', 'COMPLETED')),
    selection       jsonb       NOT NULL,
    target_topic    text,
    rate_per_second integer     NOT NULL CHECK (rate_per_second > 0),
    total           integer     NOT NULL DEFAULT 0,
    sent            integer     NOT NULL DEFAULT 0,
    failed          integer     NOT NULL DEFAULT 0,
    skipped         integer     NOT NULL DEFAULT 0,
    -- the kit job that currently runs it; an older run that sees another runner stops
    runner          text,
    generation      integer     NOT NULL DEFAULT 0,
    created_by      text        NOT NULL,
    reason          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz
);
CREATE INDEX bulk_redrive_recent ON bulk_redrive (created_at DESC);

CREATE TABLE bulk_redrive_item (
    bulk_id    uuid        NOT NULL REFERENCES bulk_redrive (id) ON DELETE CASCADE,
    seq        integer     NOT NULL,
    entry_id   uuid        NOT NULL,
    state      text        NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED')),
    redrive_id bigint,
    detail     text,
    done_at    timestamptz,
    PRIMARY KEY (bulk_id, seq),
    UNIQUE (bulk_id, entry_id)
);
CREATE INDEX bulk_redrive_item_pending ON bulk_redrive_item (bulk_id, seq) WHERE state = 'PENDING';

-- Search: newest first (last_failed_at DESC, id DESC) overall and within each equality filter, so a
-- filtered page is an index range scan that stops after limit + 1 rows.
DROP INDEX dead_letter_entry_status_recent;
DROP INDEX dead_letter_entry_fingerprint;
CREATE INDEX dead_letter_entry_recent ON dead_letter_entry (last_failed_at DESC, id DESC);
CREATE INDEX dead_letter_entry_status_recent ON dead_letter_entry (status, last_failed_at DESC, id DESC);
CREATE INDEX dead_letter_entry_service_recent ON dead_letter_entry (source_service, last_failed_at DESC, id DESC);
CREATE INDEX dead_letter_entry_topic_recent ON dead_letter_entry (original_topic, last_failed_at DESC, id DESC);
CREATE INDEX dead_letter_entry_error_recent ON dead_letter_entry (error_class, last_failed_at DESC, id DESC);
CREATE INDEX dead_letter_entry_fingerprint_recent ON dead_letter_entry (fingerprint, last_failed_at DESC, id DESC);
-- keys can be long (btree entries are limited to ~2.7 kB): equality only, so a hash index
CREATE INDEX dead_letter_entry_key ON dead_letter_entry USING hash (record_key);
-- words and word prefixes of the error message (no pg_trgm needed)
CREATE INDEX dead_letter_entry_error_text ON dead_letter_entry
    USING gin (to_tsvector('simple', coalesce(error_message, '')));

-- Retry: due entries, and redrives waiting for their outcome.
CREATE INDEX dead_letter_entry_retry_due ON dead_letter_entry (next_attempt_at) WHERE status = 'RETRY_SCHEDULED';
CREATE INDEX dead_letter_entry_retrying ON dead_letter_entry (redriven_at) WHERE status = 'RETRYING';
-- unresolved entries, oldest first (the oldest-message metric)
CREATE INDEX dead_letter_entry_unresolved_age ON dead_letter_entry (first_failed_at)
    WHERE status IN ('NEW', 'RETRY_SCHEDULED', 'RETRYING', 'PERMANENTLY_FAILED');
