package org.patientplatform.dlq.capture;

import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The stored dead-letter entries. {@link #capture} stores a whole poll batch in one transaction; storing
 * the same DLQ record twice changes nothing. A new failure of the same original record updates its
 * entry, and a failure of a record the DLQ redrove (it carries {@code dlq-entry-id}) updates that entry;
 * both add to its history. The batch's new failures are then published as {@link DeadLettersCaptured}
 * in the same transaction, for the retry policy to act on.
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
			    next_attempt_at = NULL, redrive_id = NULL, redriven_at = NULL,
			    status_reason = CASE WHEN dead_letter_entry.status = 'DISCARDED'
			        THEN dead_letter_entry.status_reason ELSE 'failed again' END,
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
			    dlq_partition, dlq_offset, record_topic, record_partition, record_offset, error_cause_class,
			    fingerprint)
			SELECT e.id, e.attempts, ?, ?, ?, ?, ?, e.original_topic, e.original_partition, e.original_offset, ?, ?
			FROM dead_letter_entry e
			WHERE e.kind = 'FAILED_RECORD' AND e.original_topic = ? AND e.original_partition = ?
			  AND e.original_offset = ? AND e.consumer_group = ?
			ON CONFLICT DO NOTHING
			""";

	/*
	 * A failure of a redriven record: the history row is the idempotency guard (its key is the DLQ
	 * record's coordinates), and the entry changes only when that row is new. The stored payload, key
	 * and headers stay the original's (the failed copy can be an operator's edited version).
	 */
	private static final String FAILURE_OF_ENTRY = """
			WITH attempt AS (
			    INSERT INTO dead_letter_attempt (entry_id, attempt, failed_at, error_class, error_message,
			        dlq_partition, dlq_offset, record_topic, record_partition, record_offset, error_cause_class,
			        fingerprint)
			    SELECT e.id, GREATEST(e.attempts + 1, ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
			    FROM dead_letter_entry e WHERE e.id = ?
			    ON CONFLICT DO NOTHING
			    RETURNING entry_id, attempt)
			UPDATE dead_letter_entry e SET attempts = attempt.attempt, error_class = ?, error_cause_class = ?,
			    error_message = ?, error_stacktrace = ?, fingerprint = COALESCE(?, e.fingerprint),
			    non_retryable = ?, dlq_partition = ?, dlq_offset = ?,
			    last_failed_at = GREATEST(e.last_failed_at, ?), updated_at = now()
			FROM attempt WHERE e.id = attempt.entry_id
			""";

	private static final String INSERT_RAW = """
			INSERT INTO dead_letter_entry (id, kind, status, record_key, headers, payload_ciphertext,
			    payload_key_id, payload_size, raw_reason, non_retryable, attempts, dlq_partition, dlq_offset,
			    first_failed_at, last_failed_at, original_topic, original_partition, original_offset,
			    consumer_group, source_service, error_class, error_message)
			VALUES (?, 'RAW', 'NEW', ?, ?::jsonb, ?, ?, ?, ?, true, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (dlq_partition, dlq_offset) WHERE kind = 'RAW' DO NOTHING
			""";

	private static final String IDS_BY_ORIGINAL = """
			SELECT e.id FROM dead_letter_entry e
			JOIN unnest(?::text[], ?::int[], ?::bigint[], ?::text[]) AS c(topic, part, off, grp)
			  ON e.original_topic = c.topic AND e.original_partition = c.part AND e.original_offset = c.off
			 AND e.consumer_group = c.grp
			WHERE e.kind = 'FAILED_RECORD'
			""";

	static final String ENTRY_COLUMNS = """
			id, kind, status, source_service, source_role, consumer_group, original_topic,
			original_partition, original_offset, original_timestamp, record_key, headers, payload_size,
			error_class, error_cause_class, error_message, error_stacktrace, fingerprint, non_retryable,
			attempts, retry_count, raw_reason, first_failed_at, last_failed_at, next_attempt_at, redriven_at,
			resolved_at, status_reason, status_changed_at, status_changed_by, edited_payload_size, edited_at,
			edited_by
			""";

	private final JdbcTemplate jdbc;

	private final JdbcClient client;

	private final PayloadCipher cipher;

	private final JsonMapper json;

	private final ApplicationEventPublisher events;

	DeadLetters(JdbcTemplate jdbc, PayloadCipher cipher, JsonMapper json, ApplicationEventPublisher events) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
		this.cipher = cipher;
		this.json = json;
		this.events = events;
	}

	@Transactional
	void capture(List<CapturedRecord> records) {
		List<CapturedRecord> failed = records.stream().filter((r) -> !r.isRaw()).toList();
		List<CapturedRecord> raw = records.stream().filter(CapturedRecord::isRaw).toList();
		Set<UUID> known = knownEntries(failed);
		List<CapturedRecord> ofEntries = failed.stream()
			.filter((r) -> r.entryId() != null && known.contains(r.entryId()))
			.toList();
		List<CapturedRecord> ofOriginals = failed.stream()
			.filter((r) -> r.entryId() == null || !known.contains(r.entryId()))
			.toList();
		List<UUID> failedOriginals = List.of();
		if (!ofOriginals.isEmpty()) {
			int[] stored = this.jdbc.batchUpdate(UPSERT_FAILED, ofOriginals.stream().map(this::failedRow).toList());
			this.jdbc.batchUpdate(INSERT_ATTEMPT, ofOriginals.stream().map(DeadLetters::attemptRow).toList());
			failedOriginals = idsByOriginal(changed(ofOriginals, stored));
		}
		List<DeadLettersCaptured.RedriveFailure> failedRedrives = new ArrayList<>();
		if (!ofEntries.isEmpty()) {
			int[] updated = this.jdbc.batchUpdate(FAILURE_OF_ENTRY,
					ofEntries.stream().map(DeadLetters::entryFailureRow).toList());
			for (CapturedRecord r : changed(ofEntries, updated)) {
				failedRedrives.add(new DeadLettersCaptured.RedriveFailure(Objects.requireNonNull(r.entryId()),
						String.valueOf(r.originalTopic()), Objects.requireNonNull(r.originalPartition()),
						Objects.requireNonNull(r.originalOffset()), r.errorClass(), r.errorMessage()));
			}
		}
		if (!raw.isEmpty()) {
			this.jdbc.batchUpdate(INSERT_RAW, raw.stream().map(this::rawRow).toList());
		}
		if (!failedOriginals.isEmpty() || !failedRedrives.isEmpty()) {
			this.events.publishEvent(new DeadLettersCaptured(failedOriginals, failedRedrives));
		}
	}

	private Set<UUID> knownEntries(List<CapturedRecord> failed) {
		String[] ids = failed.stream()
			.map(CapturedRecord::entryId)
			.filter(Objects::nonNull)
			.map(UUID::toString)
			.distinct()
			.toArray(String[]::new);
		if (ids.length == 0) {
			return Set.of();
		}
		return new HashSet<>(this.jdbc.queryForList("SELECT id FROM dead_letter_entry WHERE id = ANY(?::uuid[])",
				UUID.class, (Object) ids));
	}

	private static List<CapturedRecord> changed(List<CapturedRecord> records, int[] counts) {
		List<CapturedRecord> changed = new ArrayList<>();
		for (int i = 0; i < records.size(); i++) {
			// a redelivered DLQ record (same DLQ coordinates) changes no row
			if (i >= counts.length || counts[i] != 0) {
				changed.add(records.get(i));
			}
		}
		return changed;
	}

	private List<UUID> idsByOriginal(List<CapturedRecord> records) {
		if (records.isEmpty()) {
			return List.of();
		}
		return this.jdbc.queryForList(IDS_BY_ORIGINAL, UUID.class,
				records.stream().map(CapturedRecord::originalTopic).toArray(String[]::new),
				records.stream().map(CapturedRecord::originalPartition).toArray(Integer[]::new),
				records.stream().map(CapturedRecord::originalOffset).toArray(Long[]::new),
				records.stream().map(CapturedRecord::consumerGroup).toArray(String[]::new));
	}

	private static Object[] entryFailureRow(CapturedRecord r) {
		return new Object[] { r.attempt(), timestamp(r.receivedAt()), r.errorClass(), r.errorMessage(),
				r.dlqPartition(), r.dlqOffset(), r.originalTopic(), r.originalPartition(), r.originalOffset(),
				r.errorCauseClass(), r.fingerprint(), r.entryId(), r.errorClass(), r.errorCauseClass(),
				r.errorMessage(), r.errorStacktrace(), r.fingerprint(), r.nonRetryable(), r.dlqPartition(),
				r.dlqOffset(), timestamp(r.receivedAt()) };
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
				r.dlqOffset(), r.errorCauseClass(), r.fingerprint(), r.originalTopic(), r.originalPartition(),
				r.originalOffset(), r.consumerGroup() };
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
		return this.client.sql("SELECT " + ENTRY_COLUMNS + " FROM dead_letter_entry WHERE id = ?")
			.param(id)
			.query(DeadLetterEntry.ROW_MAPPER)
			.optional();
	}

	/** The entry's failures and redrives; empty when there is no such entry. */
	Optional<History> history(UUID id) {
		if (this.client.sql("SELECT count(*) FROM dead_letter_entry WHERE id = ?").param(id).query(Long.class).single() == 0) {
			return Optional.empty();
		}
		List<History.Failure> failures = this.client.sql("""
				SELECT attempt, failed_at, error_class, error_cause_class, error_message, fingerprint, record_topic,
				       record_partition, record_offset
				FROM dead_letter_attempt WHERE entry_id = ? ORDER BY failed_at, attempt
				""").param(id).query((rs, n) -> new History.Failure(rs.getInt("attempt"),
				rs.getTimestamp("failed_at").toInstant(), rs.getString("error_class"), rs.getString("error_cause_class"),
				rs.getString("error_message"), rs.getString("fingerprint"), rs.getString("record_topic"),
				(Integer) rs.getObject("record_partition"), (Long) rs.getObject("record_offset"))).list();
		List<History.Redrive> redrives = this.client.sql("""
				SELECT id, kind, attempt, bulk_id, actor, reason, target_topic, target_partition, target_offset, sent_at,
				       outcome, outcome_at, outcome_service, outcome_error_class, outcome_error_message
				FROM dead_letter_redrive WHERE entry_id = ? ORDER BY id
				""").param(id).query((rs, n) -> new History.Redrive(rs.getLong("id"), rs.getString("kind"),
				rs.getInt("attempt"), rs.getObject("bulk_id", UUID.class), rs.getString("actor"),
				rs.getString("reason"), rs.getString("target_topic"), rs.getInt("target_partition"),
				rs.getLong("target_offset"), rs.getTimestamp("sent_at").toInstant(), rs.getString("outcome"),
				(rs.getTimestamp("outcome_at") != null) ? rs.getTimestamp("outcome_at").toInstant() : null,
				rs.getString("outcome_service"), rs.getString("outcome_error_class"),
				rs.getString("outcome_error_message"))).list();
		return Optional.of(new History(id, failures, redrives));
	}

	/**
	 * An entry's history.
	 *
	 * @param entryId the entry
	 * @param failures each failure, oldest first
	 * @param redrives each record sent back, oldest first, with the outcome the origin reported
	 */
	record History(UUID entryId, List<Failure> failures, List<Redrive> redrives) {

		record Failure(int attempt, Instant failedAt, @Nullable String errorClass, @Nullable String errorCauseClass,
				@Nullable String errorMessage, @Nullable String fingerprint, @Nullable String recordTopic,
				@Nullable Integer recordPartition, @Nullable Long recordOffset) {
		}

		record Redrive(long id, String kind, int attempt, @Nullable UUID bulkId, String actor, @Nullable String reason,
				String targetTopic, int targetPartition, long targetOffset, Instant sentAt, @Nullable String outcome,
				@Nullable Instant outcomeAt, @Nullable String outcomeService, @Nullable String outcomeErrorClass,
				@Nullable String outcomeErrorMessage) {
		}

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
