-- The state holds a copy of its record's source service, with an index that counts a service's statuses
-- (ADR 0014; docs/benchmarks.md, twelfth pass).
--
-- Facets over a window of one service count each selected entry's status (on the state) and its topic and
-- error class (on the record). Without the service on the state, the two had to be joined: every state of
-- the window, all services, hashed against the service's records. For a day of one service at 1,000,000
-- entries that was 86,000 state index entries joined with 21,600 records, 37 ms in psql. With the copy, the
-- statuses are counted from the state's index alone and the rest from the record's service index alone,
-- no join: 5.5 ms + 5 ms.
--
-- Like the state's copies of the failure times, the copy has one writer: the statement that inserts the
-- record inserts its state with the same value, and nothing changes a record's source service afterwards
-- (a new failure of the same original record keeps it). Writes through the view carry it too.
--
-- On a large table the backfill rewrites every state row (16 s at 1,000,000 entries here). The migration is
-- one transaction, and its ALTER TABLE holds the state table's exclusive lock to the end: searches, redrives
-- and the capture wait (the capture's records stay on the topic meanwhile), then go on.

ALTER TABLE dead_letter_state ADD COLUMN source_service text;

UPDATE dead_letter_state s SET source_service = r.source_service
FROM dead_letter_record r
WHERE r.id = s.id AND r.source_service IS NOT NULL;

CREATE INDEX dead_letter_state_service_recent ON dead_letter_state (source_service, last_failed_at)
    INCLUDE (status);

CREATE OR REPLACE FUNCTION dead_letter_entry_write() RETURNS trigger LANGUAGE plpgsql AS $$
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
            updated_at, source_service)
        VALUES (NEW.id, NEW.status, NEW.retry_count, NEW.next_attempt_at, NEW.redrive_id, NEW.redriven_at,
            NEW.resolved_at, NEW.status_reason, NEW.status_changed_at, NEW.status_changed_by, NEW.first_failed_at,
            NEW.last_failed_at, NEW.updated_at, NEW.source_service);
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
            first_failed_at = NEW.first_failed_at, last_failed_at = NEW.last_failed_at, updated_at = NEW.updated_at,
            source_service = NEW.source_service
        WHERE id = OLD.id;
        RETURN NEW;
    ELSE
        DELETE FROM dead_letter_record WHERE id = OLD.id;
        DELETE FROM dead_letter_state WHERE id = OLD.id;
        RETURN OLD;
    END IF;
END
$$;
