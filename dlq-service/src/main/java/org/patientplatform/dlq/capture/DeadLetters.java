package org.patientplatform.dlq.capture;

import java.sql.Types;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.Page;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The stored dead-letter entries. {@link #capture} stores a whole poll batch in one transaction, its
 * failed original records as one multi-row statement (and its failures of redriven records as another);
 * storing the same DLQ record twice changes nothing. A new failure of the same original record updates its
 * entry and reopens it ({@code NEW}; a resolved or permanently failed one with its retry budget afresh, as a
 * new episode: its consumer read the record again; one with a redrive in flight stays {@code RETRYING}, for
 * that redrive's outcome to decide), and a failure of a record the DLQ redrove (it carries
 * {@code dlq-entry-id}) updates that entry;
 * both add to its history. An entry holds its stack trace's digest, and the batch's distinct traces are
 * stored once ({@link StackTraces}). The batch's new failures are then published as {@link DeadLettersCaptured}
 * in the same transaction, for the retry policy to act on.
 */
@Repository
class DeadLetters {

	/*
	 * A round of failed original records (no two for the same original record) as one statement: the
	 * entries are upserted by their original coordinates, new ones in their first status; a new failure of
	 * a stored entry updates it unless it is a DLQ record the entry already holds (its latest, redelivered,
	 * or an earlier one read again by a rewound consumer: its history row says so, a primary-key probe made
	 * only on a conflict); each changed entry gets its history row, keyed by the DLQ record's coordinates.
	 * The record as stored (key, headers, payload, timestamp) is the latest report's, all of it: never one
	 * report's key beside another's headers and payload.
	 */
	private static final String UPSERT_ORIGINALS = """
			WITH entry AS (
			    INSERT INTO dead_letter_record (id, kind, source_service, source_role, consumer_group,
			        original_topic, original_partition, original_offset, original_timestamp, record_key, headers,
			        payload_ciphertext, payload_key_id, payload_size, error_class, error_cause_class, error_message,
			        error_stacktrace_digest, fingerprint, non_retryable, attempts, dlq_partition, dlq_offset,
			        first_failed_at, last_failed_at)
			    SELECT b.id, 'FAILED_RECORD', b.source_service, b.source_role, b.consumer_group,
			        b.original_topic, b.original_partition, b.original_offset, b.original_timestamp, b.record_key,
			        b.headers::jsonb, b.payload_ciphertext, ?, b.payload_size, b.error_class, b.error_cause_class,
			        b.error_message, b.error_stacktrace_digest, b.fingerprint, b.non_retryable, b.attempts,
			        b.dlq_partition, b.dlq_offset, b.failed_at, b.failed_at
			    FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::bigint[],
			        ?::timestamptz[], ?::bytea[], ?::text[], ?::bytea[], ?::int[], ?::text[], ?::text[], ?::text[],
			        ?::bytea[], ?::text[], ?::boolean[], ?::int[], ?::int[], ?::bigint[], ?::timestamptz[])
			    AS b(id, source_service, source_role, consumer_group, original_topic, original_partition,
			        original_offset, original_timestamp, record_key, headers, payload_ciphertext, payload_size,
			        error_class, error_cause_class, error_message, error_stacktrace_digest, fingerprint,
			        non_retryable, attempts, dlq_partition, dlq_offset, failed_at)
			    ON CONFLICT (original_topic, original_partition, original_offset, consumer_group)
			        WHERE kind = 'FAILED_RECORD'
			    DO UPDATE SET
			        attempts = GREATEST(dead_letter_record.attempts + 1, EXCLUDED.attempts),
			        original_timestamp = EXCLUDED.original_timestamp, record_key = EXCLUDED.record_key,
			        headers = EXCLUDED.headers, payload_ciphertext = EXCLUDED.payload_ciphertext,
			        payload_key_id = EXCLUDED.payload_key_id, payload_size = EXCLUDED.payload_size,
			        error_class = EXCLUDED.error_class, error_cause_class = EXCLUDED.error_cause_class,
			        error_message = EXCLUDED.error_message, error_stacktrace_digest = EXCLUDED.error_stacktrace_digest,
			        fingerprint = EXCLUDED.fingerprint, non_retryable = EXCLUDED.non_retryable,
			        dlq_partition = EXCLUDED.dlq_partition, dlq_offset = EXCLUDED.dlq_offset,
			        last_failed_at = GREATEST(dead_letter_record.last_failed_at, EXCLUDED.last_failed_at)
			    WHERE (dead_letter_record.dlq_partition, dead_letter_record.dlq_offset)
			        <> (EXCLUDED.dlq_partition, EXCLUDED.dlq_offset)
			      AND NOT EXISTS (SELECT 1 FROM dead_letter_attempt a WHERE a.entry_id = dead_letter_record.id
			        AND a.dlq_partition = EXCLUDED.dlq_partition AND a.dlq_offset = EXCLUDED.dlq_offset)
			    RETURNING id, xmax = 0 AS inserted, attempts, dlq_partition, dlq_offset, original_topic,
			        original_partition, original_offset, error_class, error_cause_class, error_message, fingerprint,
			        first_failed_at, last_failed_at, source_service),
			new_state AS (
			    INSERT INTO dead_letter_state (id, status, next_attempt_at, status_reason, status_changed_at,
			        status_changed_by, first_failed_at, last_failed_at, source_service)
			    SELECT e.id, st.status, now() + st.delay_ms * interval '1 millisecond', st.status_reason,
			        CASE WHEN st.status_reason IS NOT NULL THEN now() END,
			        CASE WHEN st.status_reason IS NOT NULL THEN 'system' END, e.first_failed_at, e.last_failed_at,
			        e.source_service
			    FROM entry e
			    JOIN unnest(?::uuid[], ?::text[], ?::bigint[], ?::text[]) AS st(id, status, delay_ms, status_reason)
			      ON st.id = e.id
			    WHERE e.inserted),
			failed_again AS (
			    -- an entry with a redrive in flight (RETRYING) keeps it: that redrive's outcome decides what comes
			    -- next; reopened, it would be redriven a second time and the first redrive's outcome never applied
			    UPDATE dead_letter_state s SET
			        status = CASE WHEN s.status IN ('DISCARDED', 'RETRYING') THEN s.status ELSE 'NEW' END,
			        next_attempt_at = CASE WHEN s.status = 'RETRYING' THEN s.next_attempt_at END,
			        redrive_id = CASE WHEN s.status = 'RETRYING' THEN s.redrive_id END,
			        redriven_at = CASE WHEN s.status = 'RETRYING' THEN s.redriven_at END,
			        retry_count = CASE WHEN s.status IN ('RESOLVED', 'PERMANENTLY_FAILED') THEN 0 ELSE s.retry_count END,
			        resolved_at = CASE WHEN s.status = 'DISCARDED' THEN s.resolved_at END,
			        status_reason = CASE WHEN s.status IN ('DISCARDED', 'RETRYING') THEN s.status_reason
			            ELSE 'failed again' END,
			        -- the state's copy of the first failure is the unresolved age (gauge, alert, report): a resolved
			        -- entry's new episode is unresolved since this failure, not since the record first failed
			        first_failed_at = CASE WHEN s.status = 'RESOLVED' THEN e.last_failed_at ELSE s.first_failed_at END,
			        last_failed_at = e.last_failed_at, updated_at = now()
			    FROM entry e
			    WHERE s.id = e.id AND NOT e.inserted),
			attempt AS (
			    INSERT INTO dead_letter_attempt (entry_id, attempt, failed_at, error_class, error_message,
			        dlq_partition, dlq_offset, record_topic, record_partition, record_offset, error_cause_class,
			        fingerprint)
			    SELECT e.id, e.attempts, t.failed_at, e.error_class, e.error_message, e.dlq_partition, e.dlq_offset,
			        e.original_topic, e.original_partition, e.original_offset, e.error_cause_class, e.fingerprint
			    FROM entry e
			    JOIN unnest(?::int[], ?::bigint[], ?::timestamptz[]) AS t(dlq_partition, dlq_offset, failed_at)
			      ON t.dlq_partition = e.dlq_partition AND t.dlq_offset = e.dlq_offset
			    ON CONFLICT DO NOTHING)
			SELECT id, dlq_partition, dlq_offset FROM entry
			""";

	/*
	 * Failures of redriven records (a round has no two for the same entry): the entries' records are locked
	 * first (in id order, as every multi-entry lock here; so retention cannot delete one under its new
	 * history row), the history row is the idempotency guard (its key is the DLQ record's coordinates; and a
	 * failure of a redriven record the history already holds, dead-lettered again from another DLQ offset, is
	 * not added), and the entry changes only when that row is new: its record, then its state's copy of the
	 * last failure.
	 * The stored payload, key and headers stay the original's (the failed copy can be an operator's edited
	 * version).
	 */
	private static final String FAILURES_OF_ENTRIES = """
			WITH f AS (
			    SELECT * FROM unnest(?::uuid[], ?::int[], ?::timestamptz[], ?::text[], ?::text[], ?::int[], ?::bigint[],
			        ?::text[], ?::int[], ?::bigint[], ?::text[], ?::text[], ?::bytea[], ?::boolean[])
			    AS f(entry_id, attempt, failed_at, error_class, error_message, dlq_partition, dlq_offset, record_topic,
			        record_partition, record_offset, error_cause_class, fingerprint, error_stacktrace_digest,
			        non_retryable)),
			locked AS (
			    SELECT e.id, e.attempts FROM dead_letter_record e WHERE e.id IN (SELECT entry_id FROM f)
			    ORDER BY e.id FOR UPDATE),
			attempt AS (
			    INSERT INTO dead_letter_attempt (entry_id, attempt, failed_at, error_class, error_message,
			        dlq_partition, dlq_offset, record_topic, record_partition, record_offset, error_cause_class,
			        fingerprint)
			    SELECT e.id, GREATEST(e.attempts + 1, f.attempt), f.failed_at, f.error_class, f.error_message,
			        f.dlq_partition, f.dlq_offset, f.record_topic, f.record_partition, f.record_offset,
			        f.error_cause_class, f.fingerprint
			    FROM f JOIN locked e ON e.id = f.entry_id
			    -- the same redriven record failing again (its consumer read it twice: a restart before its
			    -- offset was committed) is the same attempt: a second DLQ record of it is not a second failure
			    WHERE NOT EXISTS (SELECT 1 FROM dead_letter_attempt p WHERE p.entry_id = f.entry_id
			        AND p.record_topic = f.record_topic AND p.record_partition = f.record_partition
			        AND p.record_offset = f.record_offset)
			    ON CONFLICT DO NOTHING
			    RETURNING entry_id, attempt, dlq_partition, dlq_offset),
			changed AS (
			    UPDATE dead_letter_record e SET attempts = a.attempt, error_class = f.error_class,
			        error_cause_class = f.error_cause_class, error_message = f.error_message,
			        error_stacktrace_digest = f.error_stacktrace_digest,
			        fingerprint = COALESCE(f.fingerprint, e.fingerprint),
			        non_retryable = f.non_retryable, dlq_partition = f.dlq_partition, dlq_offset = f.dlq_offset,
			        last_failed_at = GREATEST(e.last_failed_at, f.failed_at)
			    FROM attempt a JOIN f ON f.dlq_partition = a.dlq_partition AND f.dlq_offset = a.dlq_offset
			    WHERE e.id = a.entry_id
			    RETURNING e.id, e.last_failed_at, a.dlq_partition, a.dlq_offset),
			state AS (
			    UPDATE dead_letter_state s SET last_failed_at = c.last_failed_at, updated_at = now()
			    FROM changed c WHERE s.id = c.id)
			SELECT id, dlq_partition, dlq_offset FROM changed
			""";

	private static final String INSERT_RAW = """
			WITH raw AS (
			    INSERT INTO dead_letter_record (id, kind, record_key, headers, payload_ciphertext, payload_key_id,
			        payload_size, raw_reason, non_retryable, attempts, dlq_partition, dlq_offset, first_failed_at,
			        last_failed_at, original_topic, original_partition, original_offset, consumer_group,
			        source_service, error_class, error_message)
			    VALUES (?, 'RAW', ?, ?::jsonb, ?, ?, ?, ?, true, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			    ON CONFLICT (dlq_partition, dlq_offset) WHERE kind = 'RAW' DO NOTHING
			    RETURNING id, first_failed_at, last_failed_at, source_service, error_class, error_message, raw_reason,
			        dlq_partition, dlq_offset, original_topic, original_partition, original_offset),
			state AS (
			    INSERT INTO dead_letter_state (id, status, first_failed_at, last_failed_at, source_service)
			    SELECT id, 'NEW', first_failed_at, last_failed_at, source_service FROM raw)
			INSERT INTO dead_letter_attempt (entry_id, attempt, failed_at, error_class, error_message, dlq_partition,
			    dlq_offset, record_topic, record_partition, record_offset)
			SELECT id, 1, first_failed_at, error_class, coalesce(error_message, raw_reason), dlq_partition, dlq_offset,
			    original_topic, original_partition, original_offset
			FROM raw
			""";

	/** The status reason of an entry that is not retried automatically (as the retry feature words it). */
	private static final String NOT_RETRIED = "not retried automatically";

	static final String ENTRY_COLUMNS = """
			id, kind, status, source_service, source_role, consumer_group, original_topic,
			original_partition, original_offset, original_timestamp, record_key, headers, payload_size,
			payload_ciphertext IS NULL AND payload_size = 0 AS tombstone,
			payload_ciphertext IS NULL AND payload_size > 0 AS value_omitted,
			error_class, error_cause_class, error_message, error_stacktrace, fingerprint, non_retryable,
			attempts, retry_count, raw_reason, first_failed_at, last_failed_at, next_attempt_at, redriven_at,
			resolved_at, status_reason, status_changed_at, status_changed_by, edited_payload_size, edited_at,
			edited_by
			""";

	private final JdbcTemplate jdbc;

	private final JdbcClient client;

	private final PayloadCipher cipher;

	private final ApplicationEventPublisher events;

	private final ObjectProvider<FirstRetryPlanner> planner;

	DeadLetters(JdbcTemplate jdbc, PayloadCipher cipher, ApplicationEventPublisher events,
			ObjectProvider<FirstRetryPlanner> planner) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
		this.cipher = cipher;
		this.events = events;
		this.planner = planner;
	}

	@Transactional
	void capture(List<CapturedRecord> records) {
		List<CapturedRecord> failed = records.stream().filter((r) -> !r.isRaw()).toList();
		List<CapturedRecord> raw = records.stream().filter(CapturedRecord::isRaw).toList();
		Map<UUID, Original> known = knownEntries(failed);
		List<CapturedRecord> ofEntries = failed.stream().filter((r) -> isFailureOfEntry(r, known)).toList();
		List<CapturedRecord> ofOriginals = failed.stream()
			.filter((r) -> !isFailureOfEntry(r, known))
			// another group's failure of a redriven copy: its dlq-attempt counts the other entry's redrives, and
			// this is its own group's first failure of that record (a later one counts on from the stored entry)
			.map((r) -> (r.entryId() != null && known.containsKey(r.entryId())) ? r.withAttempt(1) : r)
			.toList();
		Captured captured = new Captured();
		StackTraces traces = new StackTraces();
		if (!ofOriginals.isEmpty()) {
			Map<String, FirstRetryPlanner.Plan> plans = plans(ofOriginals);
			for (List<CapturedRecord> round : rounds(ofOriginals,
					(r) -> new Original(r.originalTopic(), r.originalPartition(), r.originalOffset(), r.consumerGroup()))) {
				storeOriginals(round, plans, traces, captured);
			}
		}
		for (List<CapturedRecord> round : rounds(ofEntries, CapturedRecord::entryId)) {
			storeEntryFailures(round, traces, captured);
		}
		traces.store(this.jdbc);
		if (!raw.isEmpty()) {
			this.jdbc.batchUpdate(INSERT_RAW, raw.stream().map(this::rawRow).toList());
		}
		if (!captured.failedOriginals.isEmpty() || !captured.failedRedrives.isEmpty()) {
			this.events.publishEvent(new DeadLettersCaptured(captured.failedOriginals, captured.failedRedrives,
					captured.toSchedule, captured.fingerprints));
		}
	}

	private Map<String, FirstRetryPlanner.Plan> plans(List<CapturedRecord> originals) {
		FirstRetryPlanner planner = this.planner.getIfAvailable();
		Set<String> topics = originals.stream()
			.filter((r) -> !r.nonRetryable())
			.map((r) -> Objects.requireNonNull(r.originalTopic()))
			.collect(Collectors.toSet());
		return (planner != null && !topics.isEmpty()) ? planner.plan(topics) : Map.of();
	}

	/** Stores a round of failed original records (no two for the same original record). */
	private void storeOriginals(List<CapturedRecord> round, Map<String, FirstRetryPlanner.Plan> plans,
			StackTraces traces, Captured captured) {
		int n = round.size();
		String[] ids = new String[n];
		String[] services = new String[n];
		String[] roles = new String[n];
		String[] groups = new String[n];
		String[] topics = new String[n];
		Integer[] partitions = new Integer[n];
		Long[] offsets = new Long[n];
		String[] originalTimestamps = new String[n];
		byte[][] keys = new byte[n][];
		String[] headers = new String[n];
		byte[][] payloads = new byte[n][];
		Integer[] sizes = new Integer[n];
		String[] errorClasses = new String[n];
		String[] causeClasses = new String[n];
		String[] messages = new String[n];
		byte[][] stacktraces = new byte[n][];
		String[] fingerprints = new String[n];
		Boolean[] nonRetryable = new Boolean[n];
		Integer[] attempts = new Integer[n];
		Integer[] dlqPartitions = new Integer[n];
		Long[] dlqOffsets = new Long[n];
		String[] failedAt = new String[n];
		String[] statuses = new String[n];
		Long[] delays = new Long[n];
		String[] reasons = new String[n];
		Map<DlqRecord, CapturedRecord> byDlqRecord = new HashMap<>();
		Set<UUID> planned = new HashSet<>();
		for (int i = 0; i < n; i++) {
			CapturedRecord r = round.get(i);
			UUID id = EntryIds.next();
			ids[i] = id.toString();
			services[i] = r.sourceService();
			roles[i] = r.sourceRole();
			groups[i] = r.consumerGroup();
			topics[i] = r.originalTopic();
			partitions[i] = r.originalPartition();
			offsets[i] = r.originalOffset();
			originalTimestamps[i] = (r.originalTimestamp() != null) ? TimestampText.of(r.originalTimestamp()) : null;
			keys[i] = r.key();
			headers[i] = r.headersJson();
			// a record without a value (a tombstone) is stored without one, and redriven as one; one whose value
			// was too large to dead-letter is stored without one too, but with its size, and never redriven as is
			payloads[i] = (r.payload() != null) ? this.cipher.encrypt(r.payload()) : null;
			sizes[i] = r.payloadSize();
			errorClasses[i] = r.errorClass();
			causeClasses[i] = r.errorCauseClass();
			messages[i] = r.errorMessage();
			stacktraces[i] = traces.digest(r.errorStacktrace());
			fingerprints[i] = r.fingerprint();
			nonRetryable[i] = r.nonRetryable();
			attempts[i] = r.attempt();
			dlqPartitions[i] = r.dlqPartition();
			dlqOffsets[i] = r.dlqOffset();
			failedAt[i] = r.receivedAt().toString();
			FirstRetryPlanner.Plan plan = r.nonRetryable() ? null : plans.get(r.originalTopic());
			if (r.nonRetryable()) {
				// what the retry feature would set: only an operator sends it
				statuses[i] = "NEW";
				reasons[i] = NOT_RETRIED;
				planned.add(id);
			}
			else if (plan != null) {
				statuses[i] = "RETRY_SCHEDULED";
				delays[i] = plan.nextDelay().toMillis();
				reasons[i] = plan.reason();
				planned.add(id);
			}
			else {
				statuses[i] = "NEW";
			}
			byDlqRecord.put(new DlqRecord(r.dlqPartition(), r.dlqOffset()), r);
		}
		this.jdbc.query(UPSERT_ORIGINALS, (rs) -> {
			UUID id = rs.getObject("id", UUID.class);
			CapturedRecord r = byDlqRecord.get(new DlqRecord(rs.getInt("dlq_partition"), rs.getLong("dlq_offset")));
			captured.failedOriginals.add(id);
			// an entry written in its first status needs nothing more; one that failed again does
			if (!planned.contains(id)) {
				captured.toSchedule.add(id);
			}
			if (r != null && r.fingerprint() != null) {
				captured.fingerprints.putIfAbsent(r.fingerprint(), id);
			}
		}, this.cipher.activeKeyId(), ids, services, roles, groups, topics, partitions, offsets, originalTimestamps, keys, headers, payloads,
				sizes, errorClasses, causeClasses, messages, stacktraces, fingerprints, nonRetryable, attempts,
				dlqPartitions, dlqOffsets, failedAt, ids, statuses, delays, reasons, dlqPartitions, dlqOffsets, failedAt);
	}

	/** Stores a round of failures of redriven records (no two for the same entry). */
	private void storeEntryFailures(List<CapturedRecord> round, StackTraces traces, Captured captured) {
		int n = round.size();
		String[] entryIds = new String[n];
		Integer[] attempts = new Integer[n];
		String[] failedAt = new String[n];
		String[] errorClasses = new String[n];
		String[] messages = new String[n];
		Integer[] dlqPartitions = new Integer[n];
		Long[] dlqOffsets = new Long[n];
		String[] topics = new String[n];
		Integer[] partitions = new Integer[n];
		Long[] offsets = new Long[n];
		String[] causeClasses = new String[n];
		String[] fingerprints = new String[n];
		byte[][] stacktraces = new byte[n][];
		Boolean[] nonRetryable = new Boolean[n];
		Map<DlqRecord, CapturedRecord> byDlqRecord = new HashMap<>();
		for (int i = 0; i < n; i++) {
			CapturedRecord r = round.get(i);
			entryIds[i] = String.valueOf(r.entryId());
			attempts[i] = r.attempt();
			failedAt[i] = r.receivedAt().toString();
			errorClasses[i] = r.errorClass();
			messages[i] = r.errorMessage();
			dlqPartitions[i] = r.dlqPartition();
			dlqOffsets[i] = r.dlqOffset();
			topics[i] = r.originalTopic();
			partitions[i] = r.originalPartition();
			offsets[i] = r.originalOffset();
			causeClasses[i] = r.errorCauseClass();
			fingerprints[i] = r.fingerprint();
			stacktraces[i] = traces.digest(r.errorStacktrace());
			nonRetryable[i] = r.nonRetryable();
			byDlqRecord.put(new DlqRecord(r.dlqPartition(), r.dlqOffset()), r);
		}
		this.jdbc.query(FAILURES_OF_ENTRIES, (rs) -> {
			CapturedRecord r = byDlqRecord.get(new DlqRecord(rs.getInt("dlq_partition"), rs.getLong("dlq_offset")));
			if (r == null) {
				return;
			}
			UUID id = Objects.requireNonNull(r.entryId());
			captured.failedRedrives.add(new DeadLettersCaptured.RedriveFailure(id, String.valueOf(r.originalTopic()),
					Objects.requireNonNull(r.originalPartition()), Objects.requireNonNull(r.originalOffset()),
					r.errorClass(), r.errorMessage()));
			if (r.fingerprint() != null) {
				captured.fingerprints.putIfAbsent(r.fingerprint(), id);
			}
		}, entryIds, attempts, failedAt, errorClasses, messages, dlqPartitions, dlqOffsets, topics, partitions, offsets,
				causeClasses, fingerprints, stacktraces, nonRetryable);
	}

	/**
	 * Splits records into rounds in which no key occurs twice (one statement cannot change a row twice):
	 * the first record of each key in the first round, the second in the second, and so on, so the order
	 * of a key's records is kept. Almost every batch is one round.
	 */
	static <K> List<List<CapturedRecord>> rounds(List<CapturedRecord> records,
			Function<CapturedRecord, @Nullable K> key) {
		List<List<CapturedRecord>> rounds = new ArrayList<>();
		Map<@Nullable K, Integer> seen = new HashMap<>();
		for (CapturedRecord record : records) {
			int round = seen.merge(key.apply(record), 1, Integer::sum) - 1;
			if (round == rounds.size()) {
				rounds.add(new ArrayList<>());
			}
			rounds.get(round).add(record);
		}
		return rounds;
	}

	/**
	 * The stored entries the batch's records name ({@code dlq-entry-id}), with their original topic and group.
	 */
	private Map<UUID, Original> knownEntries(List<CapturedRecord> failed) {
		String[] ids = failed.stream()
			.map(CapturedRecord::entryId)
			.filter(Objects::nonNull)
			.map(UUID::toString)
			.distinct()
			.toArray(String[]::new);
		if (ids.length == 0) {
			return Map.of();
		}
		Map<UUID, Original> known = new HashMap<>();
		this.jdbc.query("SELECT id, original_topic, consumer_group FROM dead_letter_record WHERE id = ANY(?::uuid[])",
				(rs) -> {
					known.put(rs.getObject("id", UUID.class),
							new Original(rs.getString("original_topic"), null, null, rs.getString("consumer_group")));
				}, (Object) ids);
		return known;
	}

	/**
	 * True when a record is a failure of the stored entry it names: a redriven copy failed again. A redrive
	 * to the entry's own topic reaches every consumer group of that topic, and each one that fails it
	 * dead-letters it with the entry id; only the entry's own group's failure is the entry's (when both name
	 * a group). Another group's failure is its own original record, stored by its coordinates.
	 */
	private static boolean isFailureOfEntry(CapturedRecord record, Map<UUID, Original> known) {
		Original entry = (record.entryId() != null) ? known.get(record.entryId()) : null;
		if (entry == null) {
			return false;
		}
		return !Objects.equals(entry.topic(), record.originalTopic()) || isBlank(entry.group())
				|| isBlank(record.consumerGroup()) || Objects.equals(entry.group(), record.consumerGroup());
	}

	private static boolean isBlank(@Nullable String text) {
		return text == null || text.isBlank();
	}

	private Object[] rawRow(CapturedRecord r) {
		return new Object[] { EntryIds.next(), bytes(r.key()), r.headersJson(),
				(r.payload() != null) ? this.cipher.encrypt(r.payload()) : null, this.cipher.activeKeyId(),
				r.payloadSize(), r.rawReason(),
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

	/**
	 * A page of the entry's history: up to {@code limit} failures and up to {@code limit} redrives, each oldest first,
	 * after where the cursor's page ended in each; empty when there is no such entry.
	 * @throws Page.InvalidCursorException (answered 400) for a cursor this method did not write
	 */
	Optional<History> history(UUID id, @Nullable String cursor, int limit) {
		if (this.client.sql("SELECT count(*) FROM dead_letter_record WHERE id = ?").param(id).query(Long.class).single() == 0) {
			return Optional.empty();
		}
		HistoryCursor after = HistoryCursor.decode(cursor);
		// the history's key holds the entry's rows (its failures are few but for an entry failing for weeks): they
		// are sorted here, a top-N sort of one entry's rows; an index in this order would cost every capture
		List<FailureRow> failures = this.client.sql("""
				SELECT attempt, failed_at, error_class, error_cause_class, error_message, fingerprint, record_topic,
				       record_partition, record_offset, dlq_partition, dlq_offset
				FROM dead_letter_attempt
				WHERE entry_id = ?
				  AND (?::timestamptz IS NULL OR (failed_at, attempt, dlq_partition, dlq_offset) > (?::timestamptz, ?, ?, ?))
				ORDER BY failed_at, attempt, dlq_partition, dlq_offset LIMIT ?
				""")
			.params(id, after.failedAtParameter(), after.failedAtParameter(), after.attempt(), after.dlqPartition(),
					after.dlqOffset(), limit + 1)
			.query((rs, n) -> new FailureRow(new History.Failure(rs.getInt("attempt"),
					rs.getTimestamp("failed_at").toInstant(), rs.getString("error_class"),
					rs.getString("error_cause_class"), rs.getString("error_message"), rs.getString("fingerprint"),
					rs.getString("record_topic"), (Integer) rs.getObject("record_partition"),
					(Long) rs.getObject("record_offset")), rs.getInt("dlq_partition"), rs.getLong("dlq_offset")))
			.list();
		List<History.Redrive> redrives = this.client.sql("""
				SELECT id, kind, attempt, bulk_id, actor, reason, target_topic, target_partition, target_offset, sent_at,
				       outcome, outcome_at, outcome_service, outcome_error_class, outcome_error_message
				FROM dead_letter_redrive WHERE entry_id = ? AND id > ? ORDER BY id LIMIT ?
				""").params(id, after.redriveId(), limit + 1).query((rs, n) -> new History.Redrive(rs.getLong("id"),
				rs.getString("kind"), rs.getInt("attempt"), rs.getObject("bulk_id", UUID.class), rs.getString("actor"),
				rs.getString("reason"), rs.getString("target_topic"), rs.getInt("target_partition"),
				rs.getLong("target_offset"), rs.getTimestamp("sent_at").toInstant(), rs.getString("outcome"),
				(rs.getTimestamp("outcome_at") != null) ? rs.getTimestamp("outcome_at").toInstant() : null,
				rs.getString("outcome_service"), rs.getString("outcome_error_class"),
				rs.getString("outcome_error_message"))).list();
		boolean more = failures.size() > limit || redrives.size() > limit;
		List<FailureRow> failurePage = failures.subList(0, Math.min(limit, failures.size()));
		List<History.Redrive> redrivePage = redrives.subList(0, Math.min(limit, redrives.size()));
		// each list goes on from its own last item (or from where the previous page left it, when it had none more):
		// a failure or a redrive added during the walk is on a later page
		HistoryCursor next = new HistoryCursor(
				failurePage.isEmpty() ? after.failedAt() : failurePage.getLast().failure().failedAt(),
				failurePage.isEmpty() ? after.attempt() : failurePage.getLast().failure().attempt(),
				failurePage.isEmpty() ? after.dlqPartition() : failurePage.getLast().dlqPartition(),
				failurePage.isEmpty() ? after.dlqOffset() : failurePage.getLast().dlqOffset(),
				redrivePage.isEmpty() ? after.redriveId() : redrivePage.getLast().id());
		return Optional.of(new History(id, failurePage.stream().map(FailureRow::failure).toList(),
				List.copyOf(redrivePage), more ? next.encode() : null));
	}

	/**
	 * An entry's history, a page of it.
	 *
	 * @param entryId the entry
	 * @param failures its failures, oldest first, at most the page's limit
	 * @param redrives the records sent back, oldest first, with the outcome the origin reported, at most the limit
	 * @param nextCursor the cursor of the next page, where either list goes on; null on the last page
	 */
	record History(UUID entryId, List<Failure> failures, List<Redrive> redrives, @Nullable String nextCursor) {

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

	/** A failure with its key in the history (its DLQ record), which the cursor holds and the answer does not. */
	private record FailureRow(History.Failure failure, int dlqPartition, long dlqOffset) {
	}

	/**
	 * Where a page of an entry's history ended in each of its two lists: the last failure's (time, attempt, DLQ
	 * record) and the last redrive's id; a list not begun has no failure time, and redrive id 0.
	 */
	private record HistoryCursor(@Nullable Instant failedAt, int attempt, int dlqPartition, long dlqOffset,
			long redriveId) {

		static HistoryCursor decode(@Nullable String text) {
			if (text == null || text.isBlank()) {
				return new HistoryCursor(null, 0, 0, 0, 0);
			}
			List<String> parts = Page.decode(text, 5);
			try {
				return new HistoryCursor(parts.get(0).isEmpty() ? null : Instant.parse(parts.get(0)),
						Integer.parseInt(parts.get(1)), Integer.parseInt(parts.get(2)), Long.parseLong(parts.get(3)),
						Long.parseLong(parts.get(4)));
			}
			catch (DateTimeException | IllegalArgumentException ex) {
				throw new Page.InvalidCursorException();
			}
		}

		java.sql.@Nullable Timestamp failedAtParameter() {
			return (this.failedAt != null) ? java.sql.Timestamp.from(this.failedAt) : null;
		}

		String encode() {
			return Page.encode(List.of((this.failedAt != null) ? this.failedAt.toString() : "",
					Integer.toString(this.attempt), Integer.toString(this.dlqPartition), Long.toString(this.dlqOffset),
					Long.toString(this.redriveId)));
		}

	}

	/** The original coordinates of a failed record. */
	private record Original(@Nullable String topic, @Nullable Integer partition, @Nullable Long offset,
			@Nullable String group) {
	}

	/** A record's coordinates on the DLQ topic: unique within a poll batch. */
	private record DlqRecord(int partition, long offset) {
	}

	/** What a batch changed, for {@link DeadLettersCaptured}. */
	private static final class Captured {

		final List<UUID> failedOriginals = new ArrayList<>();

		final List<UUID> toSchedule = new ArrayList<>();

		final List<DeadLettersCaptured.RedriveFailure> failedRedrives = new ArrayList<>();

		final Map<String, UUID> fingerprints = new TreeMap<>();

	}

	/** The stored entry ids of failed original records, newest first; for tests and the local check. */
	List<UUID> findIdsByOriginal(String topic, int partition, long offset) {
		return this.client
			.sql("SELECT id FROM dead_letter_record WHERE original_topic = ? AND original_partition = ? "
					+ "AND original_offset = ? ORDER BY last_failed_at DESC")
			.params(topic, partition, offset)
			.query(UUID.class)
			.list();
	}

}
