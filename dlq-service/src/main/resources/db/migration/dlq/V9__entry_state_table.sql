-- An entry's state beside what its failure says (ADR 0011, docs/benchmarks.md "DLQ at incident volume,
-- fifth pass").
--
-- A status change (a redrive, an outcome, a schedule, a discard) rewrote the whole ~2.2 kB entry row and
-- added an entry to each of its 15 indexes (the update is never HOT: status is indexed): 82-114 us of
-- PostgreSQL per redriven message. The state now lives in its own narrow row with the indexes that involve
-- status, and the failure (coordinates, key, headers, payload, error, search indexes) in
-- dead_letter_record, which only the capture and a payload edit change.
--
-- dead_letter_entry stays as the view that joins the two, so every reader sees one entry as before; the
-- few writes through it (operators' tools, tests) are routed by its INSTEAD OF trigger. The service's own
-- writes go to the tables. Locks: a path that changes both rows takes the record's row first, then the
-- state's; a path that changes the state only locks the state row, which is the entry's lock.

ALTER TABLE dead_letter_entry RENAME TO dead_letter_record;

CREATE TABLE dead_letter_state (
    id                uuid        NOT NULL,
    status            text        NOT NULL CHECK (status IN ('NEW', 'RETRY_SCHEDULED', 'RETRYING', 'RESOLVED',
                                                             'PERMANENTLY_FAILED', 'DISCARDED')),
    -- automatic redrives so far; the retry policy's max attempts bounds it
    retry_count       integer     NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz,
    -- the redrive in flight while the entry is RETRYING (dead_letter_redrive.id)
    redrive_id        bigint,
    redriven_at       timestamptz,
    resolved_at       timestamptz,
    status_reason     text,
    status_changed_at timestamptz,
    status_changed_by text,
    -- copies of the record's, written in the statement that writes the record's: the status search walks
    -- (status, last_failed_at, id) here, the oldest-unresolved figure first_failed_at
    first_failed_at   timestamptz NOT NULL,
    last_failed_at    timestamptz NOT NULL,
    -- the entry's last change (state, a new failure or an edit): what retention counts from
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- status in the key's leaf entries: a count over a selection of records (facets, patterns) reads each
    -- one's status from this index alone, without a visit to the state's heap (no cost to a status change:
    -- it is never HOT, so it writes a key entry anyway)
    CONSTRAINT dead_letter_state_pkey PRIMARY KEY (id) INCLUDE (status)
);

INSERT INTO dead_letter_state (id, status, retry_count, next_attempt_at, redrive_id, redriven_at, resolved_at,
    status_reason, status_changed_at, status_changed_by, first_failed_at, last_failed_at, updated_at)
SELECT id, status, retry_count, next_attempt_at, redrive_id, redriven_at, resolved_at, status_reason,
    status_changed_at, status_changed_by, first_failed_at, last_failed_at, updated_at
FROM dead_letter_record;

DROP INDEX dead_letter_entry_status_recent;
DROP INDEX dead_letter_entry_retry_due;
DROP INDEX dead_letter_entry_retrying;
DROP INDEX dead_letter_entry_unresolved_age;
DROP INDEX dead_letter_entry_closed;

ALTER TABLE dead_letter_record
    DROP COLUMN status,
    DROP COLUMN retry_count,
    DROP COLUMN next_attempt_at,
    DROP COLUMN redrive_id,
    DROP COLUMN redriven_at,
    DROP COLUMN resolved_at,
    DROP COLUMN status_reason,
    DROP COLUMN status_changed_at,
    DROP COLUMN status_changed_by,
    DROP COLUMN updated_at;

ALTER TABLE dead_letter_record RENAME CONSTRAINT dead_letter_entry_pkey TO dead_letter_record_pkey;
ALTER TABLE dead_letter_record RENAME CONSTRAINT dead_letter_entry_kind_check TO dead_letter_record_kind_check;
ALTER INDEX dead_letter_entry_original_record RENAME TO dead_letter_record_original;
ALTER INDEX dead_letter_entry_raw_dlq_record RENAME TO dead_letter_record_raw_dlq_record;
ALTER INDEX dead_letter_entry_recent RENAME TO dead_letter_record_recent;
ALTER INDEX dead_letter_entry_service_recent RENAME TO dead_letter_record_service_recent;
ALTER INDEX dead_letter_entry_topic_recent RENAME TO dead_letter_record_topic_recent;
ALTER INDEX dead_letter_entry_error_recent RENAME TO dead_letter_record_error_recent;
ALTER INDEX dead_letter_entry_fingerprint_recent RENAME TO dead_letter_record_fingerprint_recent;
ALTER INDEX dead_letter_entry_key RENAME TO dead_letter_record_key;
ALTER INDEX dead_letter_entry_error_text RENAME TO dead_letter_record_error_text;

-- Search by status, newest first; due retries; redrives waiting for their outcome; the oldest unresolved
-- entry; closed entries for retention.
CREATE INDEX dead_letter_state_status_recent ON dead_letter_state (status, last_failed_at DESC, id DESC);
CREATE INDEX dead_letter_state_retry_due ON dead_letter_state (next_attempt_at) WHERE status = 'RETRY_SCHEDULED';
CREATE INDEX dead_letter_state_retrying ON dead_letter_state (redriven_at) WHERE status = 'RETRYING';
CREATE INDEX dead_letter_state_unresolved_age ON dead_letter_state (first_failed_at)
    WHERE status IN ('NEW', 'RETRY_SCHEDULED', 'RETRYING', 'PERMANENTLY_FAILED');
CREATE INDEX dead_letter_state_closed ON dead_letter_state (updated_at) WHERE status IN ('RESOLVED', 'DISCARDED');

-- The entry as readers knew it: one row per entry, every column. (A FOR UPDATE through the view locks
-- both rows; the service's own paths lock the tables, in the order above.)
CREATE VIEW dead_letter_entry AS
SELECT s.id, r.kind, s.status, r.source_service, r.source_role, r.consumer_group, r.original_topic,
       r.original_partition, r.original_offset, r.original_timestamp, r.record_key, r.headers,
       r.payload_ciphertext, r.payload_key_id, r.payload_size, r.error_class, r.error_cause_class, r.error_message,
       r.error_stacktrace, r.fingerprint, r.non_retryable, r.attempts, r.raw_reason, r.dlq_partition, r.dlq_offset,
       r.first_failed_at, r.last_failed_at, s.next_attempt_at, r.created_at, s.updated_at, s.retry_count,
       s.redrive_id, s.redriven_at, s.resolved_at, s.status_reason, s.status_changed_at, s.status_changed_by,
       r.edited_payload_ciphertext, r.edited_payload_key_id, r.edited_payload_size, r.edited_at, r.edited_by
FROM dead_letter_state s
JOIN dead_letter_record r ON r.id = s.id;

ALTER VIEW dead_letter_entry ALTER COLUMN headers SET DEFAULT '[]'::jsonb;
ALTER VIEW dead_letter_entry ALTER COLUMN payload_size SET DEFAULT 0;
ALTER VIEW dead_letter_entry ALTER COLUMN non_retryable SET DEFAULT false;
ALTER VIEW dead_letter_entry ALTER COLUMN attempts SET DEFAULT 1;
ALTER VIEW dead_letter_entry ALTER COLUMN retry_count SET DEFAULT 0;
ALTER VIEW dead_letter_entry ALTER COLUMN created_at SET DEFAULT now();
ALTER VIEW dead_letter_entry ALTER COLUMN updated_at SET DEFAULT now();

-- Writes through the view: the record's columns to the record (first), the state's to the state.
CREATE FUNCTION dead_letter_entry_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO dead_letter_record (id, kind, source_service, source_role, consumer_group, original_topic,
            original_partition, original_offset, original_timestamp, record_key, headers, payload_ciphertext,
            payload_key_id, payload_size, error_class, error_cause_class, error_message, error_stacktrace,
            fingerprint, non_retryable, attempts, raw_reason, dlq_partition, dlq_offset, first_failed_at,
            last_failed_at, created_at, edited_payload_ciphertext, edited_payload_key_id, edited_payload_size,
            edited_at, edited_by)
        VALUES (NEW.id, NEW.kind, NEW.source_service, NEW.source_role, NEW.consumer_group, NEW.original_topic,
            NEW.original_partition, NEW.original_offset, NEW.original_timestamp, NEW.record_key, NEW.headers,
            NEW.payload_ciphertext, NEW.payload_key_id, NEW.payload_size, NEW.error_class, NEW.error_cause_class,
            NEW.error_message, NEW.error_stacktrace, NEW.fingerprint, NEW.non_retryable, NEW.attempts,
            NEW.raw_reason, NEW.dlq_partition, NEW.dlq_offset, NEW.first_failed_at, NEW.last_failed_at,
            NEW.created_at, NEW.edited_payload_ciphertext, NEW.edited_payload_key_id, NEW.edited_payload_size,
            NEW.edited_at, NEW.edited_by);
        INSERT INTO dead_letter_state (id, status, retry_count, next_attempt_at, redrive_id, redriven_at,
            resolved_at, status_reason, status_changed_at, status_changed_by, first_failed_at, last_failed_at,
            updated_at)
        VALUES (NEW.id, NEW.status, NEW.retry_count, NEW.next_attempt_at, NEW.redrive_id, NEW.redriven_at,
            NEW.resolved_at, NEW.status_reason, NEW.status_changed_at, NEW.status_changed_by, NEW.first_failed_at,
            NEW.last_failed_at, NEW.updated_at);
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE dead_letter_record SET id = NEW.id, kind = NEW.kind, source_service = NEW.source_service,
            source_role = NEW.source_role, consumer_group = NEW.consumer_group, original_topic = NEW.original_topic,
            original_partition = NEW.original_partition, original_offset = NEW.original_offset,
            original_timestamp = NEW.original_timestamp, record_key = NEW.record_key, headers = NEW.headers,
            payload_ciphertext = NEW.payload_ciphertext, payload_key_id = NEW.payload_key_id,
            payload_size = NEW.payload_size, error_class = NEW.error_class, error_cause_class = NEW.error_cause_class,
            error_message = NEW.error_message, error_stacktrace = NEW.error_stacktrace, fingerprint = NEW.fingerprint,
            non_retryable = NEW.non_retryable, attempts = NEW.attempts, raw_reason = NEW.raw_reason,
            dlq_partition = NEW.dlq_partition, dlq_offset = NEW.dlq_offset, first_failed_at = NEW.first_failed_at,
            last_failed_at = NEW.last_failed_at, created_at = NEW.created_at,
            edited_payload_ciphertext = NEW.edited_payload_ciphertext, edited_payload_key_id = NEW.edited_payload_key_id,
            edited_payload_size = NEW.edited_payload_size, edited_at = NEW.edited_at, edited_by = NEW.edited_by
        WHERE id = OLD.id;
        UPDATE dead_letter_state SET id = NEW.id, status = NEW.status, retry_count = NEW.retry_count,
            next_attempt_at = NEW.next_attempt_at, redrive_id = NEW.redrive_id, redriven_at = NEW.redriven_at,
            resolved_at = NEW.resolved_at, status_reason = NEW.status_reason,
            status_changed_at = NEW.status_changed_at, status_changed_by = NEW.status_changed_by,
            first_failed_at = NEW.first_failed_at, last_failed_at = NEW.last_failed_at, updated_at = NEW.updated_at
        WHERE id = OLD.id;
        RETURN NEW;
    ELSE
        DELETE FROM dead_letter_record WHERE id = OLD.id;
        DELETE FROM dead_letter_state WHERE id = OLD.id;
        RETURN OLD;
    END IF;
END
$$;

CREATE TRIGGER dead_letter_entry_write INSTEAD OF INSERT OR UPDATE OR DELETE ON dead_letter_entry
    FOR EACH ROW EXECUTE FUNCTION dead_letter_entry_write();
