package org.patientplatform.dlq.capture;

import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The stored dead-letter entries. {@link #capture} stores a whole poll batch in one transaction; storing
 * the same DLQ record twice changes nothing, and a new failure of the same original record updates its
 * entry and adds to its history.
 */
@Repository
class DeadLetters {

	private static final String UPSERT_FAILED = """
			INSERT INTO dead_letter_entry (id, kind, status, source_service, source_role, consumer_group,
			    original_topic, original_partition, original_offset, original_timestamp, record_key, headers,
			    payload_ciphertext, payload_key_id, payload_size, error_class, error_cause_class, error_message,
			    error_stacktrace, fingerprint, non_retryable, attempts, dlq_partition, dlq_offset,
			    first_failed_at, last_failed_at)
			VALUES (?, 'FAILED_RECORD', 'NEW', ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (original_topic, original_partition, original_offset, consumer_group)
			    WHERE kind = 'FAILED_RECORD'
			DO UPDATE SET
			    attempts = GREATEST(dead_letter_entry.attempts + 1, EXCLUDED.attempts),
			    status = CASE WHEN dead_letter_entry.status = 'DISCARDED' THEN 'DISCARDED' ELSE 'NEW' END,
			    headers = EXCLUDED.headers, payload_ciphertext = EXCLUDED.payload_ciphertext,
			    payload_key_id = EXCLUDED.payload_key_id, payload_size = EXCLUDED.payload_size,
			    error_class = EXCLUDED.error_class, error_cause_class = EXCLUDED.error_cause_class,
			    error_message = EXCLUDED.error_message, error_stacktrace = EXCLUDED.error_stacktrace,
			    fingerprint = EXCLUDED.fingerprint, non_retryable = EXCLUDED.non_retryable,
			    dlq_partition = EXCLUDED.dlq_partition, dlq_offset = EXCLUDED.dlq_offset,
			    last_failed_at = GREATEST(dead_letter_entry.last_failed_at, EXCLUDED.last_failed_at),
			    updated_at = now()
			WHERE (dead_letter_entry.dlq_partition, dead_letter_entry.dlq_offset)
			    <> (EXCLUDED.dlq_partition, EXCLUDED.dlq_offset)
			""";

	private static final String INSERT_ATTEMPT = """
			INSERT INTO dead_letter_attempt (entry_id, attempt, failed_at, error_class, error_message,
			    dlq_partition, dlq_offset)
			SELECT e.id, e.attempts, ?, ?, ?, ?, ?
			FROM dead_letter_entry e
			WHERE e.kind = 'FAILED_RECORD' AND e.original_topic = ? AND e.original_partition = ?
			  AND e.original_offset = ? AND e.consumer_group = ?
			ON CONFLICT DO NOTHING
			""";

	private static final String INSERT_RAW = """
			INSERT INTO dead_letter_entry (id, kind, status, record_key, headers, payload_ciphertext,
			    payload_key_id, payload_size, raw_reason, non_retryable, attempts, dlq_partition, dlq_offset,
			    first_failed_at, last_failed_at, original_topic, original_partition, original_offset,
			    consumer_group, source_service, error_class, error_message)
			VALUES (?, 'RAW', 'NEW', ?, ?::jsonb, ?, ?, ?, ?, true, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (dlq_partition, dlq_offset) WHERE kind = 'RAW' DO NOTHING
			""";

	private final JdbcTemplate jdbc;

	private final JdbcClient client;

	private final PayloadCipher cipher;

	private final JsonMapper json;

	DeadLetters(JdbcTemplate jdbc, PayloadCipher cipher, JsonMapper json) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
		this.cipher = cipher;
		this.json = json;
	}

	@Transactional
	void capture(List<CapturedRecord> records) {
		List<CapturedRecord> failed = records.stream().filter((r) -> !r.isRaw()).toList();
		List<CapturedRecord> raw = records.stream().filter(CapturedRecord::isRaw).toList();
		if (!failed.isEmpty()) {
			this.jdbc.batchUpdate(UPSERT_FAILED, failed.stream().map(this::failedRow).toList());
			this.jdbc.batchUpdate(INSERT_ATTEMPT, failed.stream().map(DeadLetters::attemptRow).toList());
		}
		if (!raw.isEmpty()) {
			this.jdbc.batchUpdate(INSERT_RAW, raw.stream().map(this::rawRow).toList());
		}
	}

	private Object[] failedRow(CapturedRecord r) {
		return new Object[] { UUID.randomUUID(), r.sourceService(), r.sourceRole(), r.consumerGroup(),
				r.originalTopic(), r.originalPartition(), r.originalOffset(), timestamp(r.originalTimestamp()),
				bytes(r.key()), this.json.writeValueAsString(r.headers()), this.cipher.encrypt(r.payload()),
				this.cipher.activeKeyId(), r.payload().length, r.errorClass(), r.errorCauseClass(), r.errorMessage(),
				r.errorStacktrace(), r.fingerprint(), r.nonRetryable(), r.attempt(), r.dlqPartition(), r.dlqOffset(),
				timestamp(r.receivedAt()), timestamp(r.receivedAt()) };
	}

	private static Object[] attemptRow(CapturedRecord r) {
		return new Object[] { timestamp(r.receivedAt()), r.errorClass(), r.errorMessage(), r.dlqPartition(),
				r.dlqOffset(), r.originalTopic(), r.originalPartition(), r.originalOffset(), r.consumerGroup() };
	}

	private Object[] rawRow(CapturedRecord r) {
		return new Object[] { UUID.randomUUID(), bytes(r.key()), this.json.writeValueAsString(r.headers()),
				this.cipher.encrypt(r.payload()), this.cipher.activeKeyId(), r.payload().length, r.rawReason(),
				r.dlqPartition(), r.dlqOffset(), timestamp(r.receivedAt()), timestamp(r.receivedAt()),
				r.originalTopic(), r.originalPartition(), r.originalOffset(), r.consumerGroup(), r.sourceService(),
				r.errorClass(), r.errorMessage() };
	}

	private static SqlParameterValue bytes(byte @Nullable [] value) {
		return new SqlParameterValue(Types.BINARY, value);
	}

	private static SqlParameterValue timestamp(@Nullable Instant instant) {
		return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
				(instant != null) ? instant.atOffset(ZoneOffset.UTC) : null);
	}

	Optional<DeadLetterEntry> findById(UUID id) {
		return this.client.sql("""
				SELECT id, kind, status, source_service, source_role, consumer_group, original_topic,
				       original_partition, original_offset, original_timestamp, record_key, headers, payload_size,
				       error_class, error_cause_class, error_message, error_stacktrace, fingerprint, non_retryable,
				       attempts, raw_reason, first_failed_at, last_failed_at, next_attempt_at
				FROM dead_letter_entry WHERE id = ?
				""").param(id).query(DeadLetterEntry.ROW_MAPPER).optional();
	}

	/** The stored entry ids of failed original records, newest first; for tests and the local check. */
	List<UUID> findIdsByOriginal(String topic, int partition, long offset) {
		return this.client
			.sql("SELECT id FROM dead_letter_entry WHERE original_topic = ? AND original_partition = ? "
					+ "AND original_offset = ? ORDER BY last_failed_at DESC")
			.params(topic, partition, offset)
			.query(UUID.class)
			.list();
	}

}
