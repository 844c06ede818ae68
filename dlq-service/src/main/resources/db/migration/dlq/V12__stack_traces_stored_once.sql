-- A stack trace stored once (ADR 0013; docs/benchmarks.md "DLQ at incident volume, seventh pass").
--
-- An incident dead-letters thousands of records that failed the same way, each with the same stack trace
-- (4 kB for a listener's failure), and each entry stored its own copy: most of the entry's bytes, and a
-- large part of the capture's cost, in PostgreSQL (compressing it) and in the service (sending it).
-- A trace is now stored once, keyed by the SHA-256 of its UTF-8; an entry holds the 32-byte digest, and
-- dead_letter_entry shows the text as before.
--
-- No foreign key (a check per captured row). The capture stores a batch's traces under a shared
-- transaction-level advisory lock (431761001); retention's purge of traces that no entry holds takes it
-- exclusively, so it never deletes a trace that a capture in flight is about to use.

CREATE TABLE dead_letter_stacktrace (
    digest        bytea       NOT NULL CHECK (length(digest) = 32),
    stacktrace    text        NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT dead_letter_stacktrace_pkey PRIMARY KEY (digest)
);

INSERT INTO dead_letter_stacktrace (digest, stacktrace)
SELECT DISTINCT ON (digest) digest, error_stacktrace
FROM (SELECT sha256(convert_to(error_stacktrace, 'UTF8')) AS digest, error_stacktrace
      FROM dead_letter_record WHERE error_stacktrace IS NOT NULL) t;

ALTER TABLE dead_letter_record ADD COLUMN error_stacktrace_digest bytea;

UPDATE dead_letter_record SET error_stacktrace_digest = sha256(convert_to(error_stacktrace, 'UTF8'))
WHERE error_stacktrace IS NOT NULL;

DROP VIEW dead_letter_entry;
DROP FUNCTION dead_letter_entry_write();

ALTER TABLE dead_letter_record DROP COLUMN error_stacktrace;

-- the purge of unused traces asks, per trace, whether an entry still holds it (few distinct keys: the
-- index keeps each as one key with its list of rows)
CREATE INDEX dead_letter_record_stacktrace ON dead_letter_record (error_stacktrace_digest);

-- The entry as readers knew it, its trace from the traces (a subquery, not an outer join: a FOR UPDATE
-- through the view still locks the entry's two rows, as before).
CREATE VIEW dead_letter_entry AS
SELECT s.id, r.kind, s.status, r.source_service, r.source_role, r.consumer_group, r.original_topic,
       r.original_partition, r.original_offset, r.original_timestamp, r.record_key, r.headers,
       r.payload_ciphertext, r.payload_key_id, r.payload_size, r.error_class, r.error_cause_class, r.error_message,
       (SELECT t.stacktrace FROM dead_letter_stacktrace t WHERE t.digest = r.error_stacktrace_digest)
           AS error_stacktrace,
       r.fingerprint, r.non_retryable, r.attempts, r.raw_reason,
       r.dlq_partition, r.dlq_offset,
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

-- Writes through the view: the record's columns to the record (first), the state's to the state, a trace
-- to the traces.
CREATE FUNCTION dead_letter_entry_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    trace_digest bytea;
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.error_stacktrace IS NOT NULL THEN
        -- as the capture stores a trace: under the lock that the purge of unused traces takes exclusively
        PERFORM pg_advisory_xact_lock_shared(431761001);
        trace_digest := sha256(convert_to(NEW.error_stacktrace, 'UTF8'));
        INSERT INTO dead_letter_stacktrace (digest, stacktrace) VALUES (trace_digest, NEW.error_stacktrace)
        ON CONFLICT ON CONSTRAINT dead_letter_stacktrace_pkey DO NOTHING;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO dead_letter_record (id, kind, source_service, source_role, consumer_group, original_topic,
            original_partition, original_offset, original_timestamp, record_key, headers, payload_ciphertext,
            payload_key_id, payload_size, error_class, error_cause_class, error_message, error_stacktrace_digest,
            fingerprint, non_retryable, attempts, raw_reason, dlq_partition, dlq_offset, first_failed_at,
            last_failed_at, created_at, edited_payload_ciphertext, edited_payload_key_id, edited_payload_size,
            edited_at, edited_by)
        VALUES (NEW.id, NEW.kind, NEW.source_service, NEW.source_role, NEW.consumer_group, NEW.original_topic,
            NEW.original_partition, NEW.original_offset, NEW.original_timestamp, NEW.record_key, NEW.headers,
            NEW.payload_ciphertext, NEW.payload_key_id, NEW.payload_size, NEW.error_class, NEW.error_cause_class,
            NEW.error_message, trace_digest, NEW.fingerprint, NEW.non_retryable, NEW.attempts,
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
            error_message = NEW.error_message, error_stacktrace_digest = trace_digest, fingerprint = NEW.fingerprint,
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
