-- One row per failed original record (topic, partition, offset, consumer group); a record that is
-- dead-lettered again updates its row. A record on dlq.messages.v1 that is not a valid failed-record
-- message is kept as a RAW entry with the reason. Payloads are AES-GCM ciphertext (key id per row).
CREATE TABLE dead_letter_entry (
    id                  uuid        PRIMARY KEY,
    kind                text        NOT NULL CHECK (kind IN ('FAILED_RECORD', 'RAW')),
    status              text        NOT NULL CHECK (status IN ('NEW', 'RETRY_SCHEDULED', 'RETRYING', 'RESOLVED',
                                                               'PERMANENTLY_FAILED', 'DISCARDED')),
    source_service      text,
    source_role         text,
    consumer_group      text,
    original_topic      text,
    original_partition  integer,
    original_offset     bigint,
    original_timestamp  timestamptz,
    record_key          bytea,
    headers             jsonb       NOT NULL DEFAULT '[]'::jsonb,
    payload_ciphertext  bytea,
    payload_key_id      text,
    payload_size        integer     NOT NULL DEFAULT 0,
    error_class         text,
    error_cause_class   text,
    error_message       text,
    error_stacktrace    text,
    fingerprint         text,
    non_retryable       boolean     NOT NULL DEFAULT false,
    attempts            integer     NOT NULL DEFAULT 1,
    raw_reason          text,
    dlq_partition       integer     NOT NULL,
    dlq_offset          bigint      NOT NULL,
    first_failed_at     timestamptz NOT NULL,
    last_failed_at      timestamptz NOT NULL,
    next_attempt_at     timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX dead_letter_entry_original_record
    ON dead_letter_entry (original_topic, original_partition, original_offset, consumer_group)
    WHERE kind = 'FAILED_RECORD';
CREATE UNIQUE INDEX dead_letter_entry_raw_dlq_record
    ON dead_letter_entry (dlq_partition, dlq_offset)
    WHERE kind = 'RAW';
CREATE INDEX dead_letter_entry_status_recent ON dead_letter_entry (status, last_failed_at DESC, id);
CREATE INDEX dead_letter_entry_fingerprint ON dead_letter_entry (fingerprint, last_failed_at DESC);

-- Every failure of an entry, oldest first.
CREATE TABLE dead_letter_attempt (
    entry_id        uuid        NOT NULL REFERENCES dead_letter_entry (id) ON DELETE CASCADE,
    attempt         integer     NOT NULL,
    failed_at       timestamptz NOT NULL,
    error_class     text,
    error_message   text,
    dlq_partition   integer     NOT NULL,
    dlq_offset      bigint      NOT NULL,
    PRIMARY KEY (entry_id, dlq_partition, dlq_offset)
);
