package org.patientplatform.dlq.retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.capture.DeadLettersCaptured;
import org.patientplatform.kit.kafka.RedriveOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The retry state machine of an entry after each failure and outcome, applied set-based in the caller's
 * transaction. After a failure, a retryable entry with automatic redrives left is
 * {@code RETRY_SCHEDULED} at the policy's next delay, one without is {@code PERMANENTLY_FAILED}, and a
 * non-retryable or raw entry is {@code NEW} (only an operator sends it). A failure or outcome counts only
 * for the redrive in flight ({@code RETRYING} with that redrive), so late, stale or repeated reports
 * change nothing.
 */
@Component
class RetrySchedule {

	private static final Logger log = LoggerFactory.getLogger(RetrySchedule.class);

	private static final String AFTER_FAILURE = """
			UPDATE dead_letter_state e SET
			    status = CASE WHEN pol.kind = 'RAW' OR pol.non_retryable THEN 'NEW'
			                  WHEN e.retry_count < pol.max_attempts THEN 'RETRY_SCHEDULED'
			                  ELSE 'PERMANENTLY_FAILED' END,
			    next_attempt_at = CASE WHEN pol.kind = 'RAW' OR pol.non_retryable OR e.retry_count >= pol.max_attempts
			        THEN NULL
			        -- d = min(max, initial * multiplier^n), uniform in [d (1 - jitter), min(max, d (1 + jitter))]
			        ELSE now() + make_interval(secs => (
			            LEAST(pol.max_delay_ms::double precision, pol.initial_delay_ms * power(pol.multiplier, e.retry_count))
			                * (1 - pol.jitter)
			            + random() * (LEAST(pol.max_delay_ms::double precision,
			                    LEAST(pol.max_delay_ms::double precision,
			                        pol.initial_delay_ms * power(pol.multiplier, e.retry_count)) * (1 + pol.jitter))
			                - LEAST(pol.max_delay_ms::double precision,
			                    pol.initial_delay_ms * power(pol.multiplier, e.retry_count)) * (1 - pol.jitter))
			            ) / 1000.0) END,
			    status_reason = ? || CASE WHEN pol.kind = 'RAW' OR pol.non_retryable THEN 'not retried automatically'
			        WHEN e.retry_count < pol.max_attempts
			            THEN 'automatic retry ' || (e.retry_count + 1) || ' of ' || pol.max_attempts || ' scheduled'
			        ELSE 'failed after ' || e.retry_count || ' automatic retries' END,
			    redrive_id = NULL, redriven_at = NULL, resolved_at = NULL, status_changed_at = now(),
			    status_changed_by = 'system',
			    updated_at = now()
			FROM (SELECT x.id, x.kind, x.non_retryable, COALESCE(p.max_attempts, ?) AS max_attempts,
			             COALESCE(p.initial_delay_ms, ?) AS initial_delay_ms, COALESCE(p.multiplier, ?) AS multiplier,
			             COALESCE(p.max_delay_ms, ?) AS max_delay_ms, COALESCE(p.jitter, ?) AS jitter
			      FROM dead_letter_record x LEFT JOIN retry_policy p ON p.topic = x.original_topic
			      WHERE x.id = ANY(?::uuid[])) pol
			WHERE e.id = pol.id AND %s
			RETURNING e.id, e.status
			""";

	/**
	 * Redrives in flight ({@code RETRYING}) matching a condition on the state (with its order), claimed, with what
	 * settles them: the entry's group, the redriven record's place, whether it may still be waited for.
	 */
	private static final String IN_FLIGHT = """
			SELECT s.id, s.redrive_id, s.may_wait, r.consumer_group, d.target_topic, d.target_partition,
			       d.target_offset, d.target_topic = r.original_topic AS to_original_topic
			FROM (SELECT id, redrive_id, redriven_at >= now() - make_interval(secs => ?) AS may_wait
			      FROM dead_letter_state WHERE status = 'RETRYING' AND %s LIMIT 500
			      FOR UPDATE SKIP LOCKED) s
			JOIN dead_letter_record r ON r.id = s.id
			LEFT JOIN dead_letter_redrive d ON d.id = s.redrive_id
			""";

	private final JdbcTemplate jdbc;

	private final RetryProperties properties;

	private final MeterRegistry meters;

	private final ApplicationEventPublisher events;

	private final ConsumerGroupOffsets offsets;

	RetrySchedule(JdbcTemplate jdbc, RetryProperties properties, MeterRegistry meters,
			ApplicationEventPublisher events, ConsumerGroupOffsets offsets) {
		this.jdbc = jdbc;
		this.properties = properties;
		this.meters = meters;
		this.events = events;
		this.offsets = offsets;
		// both series from the start, so a success rate reads 0 of 0 rather than no data before the first outcome
		for (String status : new String[] { "RESOLVED", "PERMANENTLY_FAILED" }) {
			meters.counter("dlq.retry.outcomes", "status", status);
		}
	}

	/**
	 * Schedules the batch's failures that the capture did not store in their first status already (see
	 * {@link FirstRetries}), and applies the failures of redriven records.
	 */
	@EventListener
	@Transactional(propagation = Propagation.MANDATORY)
	void on(DeadLettersCaptured captured) {
		if (!captured.toSchedule().isEmpty()) {
			afterFailure(captured.toSchedule(), "e.status = 'NEW'", null, "");
		}
		if (!captured.failedRedrives().isEmpty()) {
			List<DeadLettersCaptured.RedriveFailure> failures = captured.failedRedrives();
			// the redrives these failures are of, with the outcome each had: a CONSUMED one was taken as processed
			List<Long> redrives = new ArrayList<>();
			List<Long> consumed = new ArrayList<>();
			this.jdbc.query("""
					WITH matched AS (
					    SELECT r.id, r.outcome AS was, f.error_class, f.error_message
					    FROM dead_letter_redrive r
					    JOIN unnest(?::uuid[], ?::text[], ?::int[], ?::bigint[], ?::text[], ?::text[])
					        AS f(entry_id, topic, part, off, error_class, error_message)
					      ON r.entry_id = f.entry_id AND r.target_topic = f.topic AND r.target_partition = f.part
					         AND r.target_offset = f.off
					    WHERE r.outcome IS NULL OR r.outcome IN ('FAILED', 'TIMED_OUT', 'CONSUMED')
					    FOR UPDATE OF r)
					UPDATE dead_letter_redrive r SET outcome = 'FAILED', outcome_at = now(),
					    outcome_error_class = COALESCE(r.outcome_error_class, m.error_class),
					    outcome_error_message = COALESCE(r.outcome_error_message, m.error_message)
					FROM matched m
					WHERE r.id = m.id
					RETURNING r.id, m.was
					""", (rs) -> {
				redrives.add(rs.getLong("id"));
				if ("CONSUMED".equals(rs.getString("was"))) {
					consumed.add(rs.getLong("id"));
				}
			}, failures.stream().map((f) -> f.entryId().toString()).toArray(String[]::new),
					failures.stream().map(DeadLettersCaptured.RedriveFailure::topic).toArray(String[]::new),
					failures.stream().map(DeadLettersCaptured.RedriveFailure::partition).toArray(Integer[]::new),
					failures.stream().map(DeadLettersCaptured.RedriveFailure::offset).toArray(Long[]::new),
					failures.stream().map(DeadLettersCaptured.RedriveFailure::errorClass).toArray(String[]::new),
					failures.stream().map(DeadLettersCaptured.RedriveFailure::errorMessage).toArray(String[]::new));
			if (!redrives.isEmpty()) {
				List<UUID> entries = failures.stream()
					.map(DeadLettersCaptured.RedriveFailure::entryId)
					.distinct()
					.toList();
				afterFailure(entries, "e.status = 'RETRYING' AND e.redrive_id = ANY(?::bigint[])",
						redrives.toArray(Long[]::new), "redriven record failed again; ");
				// the origin's outcome of this redrive (another topic, another consumer) can come first, or the
				// outcome timeout (a capture that lags): either scheduled the entry by what the entry knew, and only
				// this failure says it cannot succeed on retry
				afterFailure(entries, "e.status = 'RETRY_SCHEDULED' AND pol.non_retryable AND (SELECT max(r.id) "
						+ "FROM dead_letter_redrive r WHERE r.entry_id = e.id) = ANY(?::bigint[])",
						redrives.toArray(Long[]::new), "redriven record failed again; ");
				if (!consumed.isEmpty()) {
					// its consumer group had committed past it with no failure reported within the outcome timeout
					// (a capture that lags further still): the entry was resolved, and this failure reopens it
					afterFailure(entries, "e.status = 'RESOLVED' AND (SELECT max(r.id) FROM dead_letter_redrive r "
							+ "WHERE r.entry_id = e.id) = ANY(?::bigint[])", consumed.toArray(Long[]::new),
							"redriven record failed after its consumer group had read past it; ");
				}
			}
		}
	}

	/**
	 * Applies an outcome the origin reported.
	 * @param entryId the outcome's entry id, parsed
	 * @return the entry's new status, or null when the outcome changed no entry (unknown or stale)
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	@Nullable String apply(UUID entryId, RedriveOutcome outcome) {
		// the entry (its state row, the entry's lock) first, then its redrive: the order in which the capture
		// takes them (it locks a batch's entries, then records the failures of their redrives); taking the
		// redrive first deadlocked with it when a redriven record's failure and its outcome were handled at the
		// same time
		List<UUID> entry = this.jdbc.queryForList("SELECT id FROM dead_letter_state WHERE id = ? FOR UPDATE", UUID.class,
				entryId);
		if (entry.isEmpty()) {
			log.info("Outcome {} for entry {}, which is not stored (purged or never ours); ignored", outcome.outcome(),
					entryId);
			return null;
		}
		// a record redriven to its own topic reaches every consumer group of the topic, and each reports; only
		// the group whose failure the entry is says whether it was mended (when both name one)
		List<String> group = this.jdbc.queryForList(
				"SELECT consumer_group FROM dead_letter_record WHERE id = ? AND original_topic = ?", String.class,
				entryId, outcome.topic());
		if (!group.isEmpty() && isGroup(group.getFirst()) && isGroup(outcome.consumerGroup())
				&& !group.getFirst().equals(outcome.consumerGroup())) {
			log.info("Outcome {} for entry {} comes from consumer group {}, not the entry's; ignored",
					outcome.outcome(), entryId, outcome.consumerGroup());
			return null;
		}
		List<Map<String, Object>> matched = this.jdbc.queryForList("""
				SELECT id, outcome FROM dead_letter_redrive
				WHERE entry_id = ? AND target_topic = ? AND target_partition = ? AND target_offset = ?
				ORDER BY id DESC LIMIT 1
				""", entryId, outcome.topic(), outcome.partition(), outcome.offset());
		if (matched.isEmpty()) {
			log.info("Outcome {} for entry {} matches no redrive ({}-{}@{}); ignored", outcome.outcome(), entryId,
					outcome.topic(), outcome.partition(), outcome.offset());
			return null;
		}
		long redrive = ((Number) matched.getFirst().get("id")).longValue();
		boolean wasConsumed = "CONSUMED".equals(matched.getFirst().get("outcome"));
		// the origin's own report wins over what the DLQ inferred (a captured failure or a timeout)
		this.jdbc.update("""
				UPDATE dead_letter_redrive SET outcome = ?, outcome_at = ?, outcome_service = ?,
				    outcome_error_class = ?, outcome_error_message = ?
				WHERE id = ? AND outcome IS DISTINCT FROM 'SUCCEEDED'
				""", outcome.outcome(), java.sql.Timestamp.from(outcome.occurredAt()), outcome.service(),
				outcome.errorClass(), truncate(outcome.errorMessage()), redrive);
		if (RedriveOutcome.SUCCEEDED.equals(outcome.outcome())) {
			// a late success (after the timeout rescheduled it) still resolves the entry, unless it failed anew
			List<String> resolved = this.jdbc.queryForList("""
					UPDATE dead_letter_state e SET status = 'RESOLVED', resolved_at = now(), redrive_id = NULL,
					    next_attempt_at = NULL, status_reason = 'processed by ' || ?, status_changed_at = now(),
					    status_changed_by = 'system', updated_at = now()
					WHERE e.id = ? AND (
					    (e.status = 'RETRYING' AND e.redrive_id = ?)
					    OR (e.status IN ('RETRY_SCHEDULED', 'PERMANENTLY_FAILED')
					        AND NOT EXISTS (SELECT 1 FROM dead_letter_redrive r WHERE r.entry_id = e.id AND r.id > ?)))
					RETURNING e.status
					""", String.class, outcome.service(), entryId, redrive, redrive);
			count(resolved);
			return resolved.isEmpty() ? null : resolved.getFirst();
		}
		List<String> statuses = afterFailure(List.of(entryId), wasConsumed
				// resolved when its consumer group committed past it with no word within the outcome timeout
				? "e.status = 'RESOLVED' AND (SELECT max(r.id) FROM dead_letter_redrive r WHERE r.entry_id = e.id) "
						+ "= ANY(?::bigint[])"
				: "e.status = 'RETRYING' AND e.redrive_id = ANY(?::bigint[])", new Long[] { redrive },
				"redriven record failed (" + outcome.errorClass() + "); ");
		return statuses.isEmpty() ? null : statuses.getFirst();
	}

	/**
	 * Entries whose automatic redrive the broker or the producer refused for what the record is (a topic
	 * name Kafka does not allow, a record too large for the topic, no authorization to write it): the same
	 * record would be refused on every retry, so each is {@code PERMANENTLY_FAILED} now, with the reason,
	 * and raises the permanent-failure alert. An operator can send it once the cause is fixed (to another
	 * topic, or edited).
	 * @param reasons the refused entries, each with the producer's reason
	 * @return the entries that changed (those still {@code RETRY_SCHEDULED})
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	List<UUID> refused(Map<UUID, String> reasons) {
		if (reasons.isEmpty()) {
			return List.of();
		}
		List<Map.Entry<UUID, String>> refused = List.copyOf(reasons.entrySet());
		List<UUID> failed = this.jdbc.queryForList("""
				UPDATE dead_letter_state s SET status = 'PERMANENTLY_FAILED', next_attempt_at = NULL,
				    status_reason = 'the broker refused the redriven record (' || f.why || '); not retried automatically',
				    status_changed_at = now(), status_changed_by = 'system', updated_at = now()
				FROM unnest(?::uuid[], ?::text[]) AS f(id, why)
				WHERE s.id = f.id AND s.status = 'RETRY_SCHEDULED'
				RETURNING s.id
				""", UUID.class, refused.stream().map((f) -> f.getKey().toString()).toArray(String[]::new),
				refused.stream().map(Map.Entry::getValue).toArray(String[]::new));
		count(failed.stream().map((id) -> "PERMANENTLY_FAILED").toList());
		if (!failed.isEmpty()) {
			log.warn("The broker refused the automatic redrive of {} entries; they are permanently failed",
					failed.size());
			this.events.publishEvent(new EntriesPermanentlyFailed(failed));
		}
		return failed;
	}

	/**
	 * Settles the redrives nobody reported on within the timeout, by the offset the entry's consumer group has
	 * committed on the redriven record's partition (a consumer outside the platform never reports; its failures reach
	 * the DLQ as failed records, which reopen or reschedule the entry, see {@link #on}):
	 * <ul>
	 * <li>past the record, and no failure of it came back: {@code CONSUMED}, the entry is {@code RESOLVED};</li>
	 * <li>not past it (the group is down, or behind): waited for, looked at again every {@code outcome-recheck},
	 * rather than sent again to a group that would then read it twice; up to {@code outcome-max-wait} after the
	 * redrive;</li>
	 * <li>otherwise counted as failed ({@code TIMED_OUT}) and the entry scheduled again: the wait is over, the record
	 * went to another topic, the entry names no group, the group never committed on that partition, or the broker
	 * could not say.</li>
	 * </ul>
	 * @return the entries settled (resolved, rescheduled or permanently failed); those waited for are not counted
	 */
	@Transactional
	int releaseTimedOut() {
		List<InFlight> inFlight = new ArrayList<>();
		RowCallbackHandler row = (rs) -> {
			String group = rs.getString("consumer_group");
			String topic = rs.getString("target_topic");
			boolean readByGroup = rs.getBoolean("to_original_topic") && isGroup(group) && topic != null;
			inFlight.add(new InFlight(rs.getObject("id", UUID.class), rs.getLong("redrive_id"),
					readByGroup ? group : null,
					readByGroup ? new TopicPartition(topic, rs.getInt("target_partition")) : null,
					rs.getLong("target_offset"), rs.getBoolean("may_wait")));
		};
		double maxWait = this.properties.outcomeMaxWait().toSeconds();
		// not looked at yet, past the timeout; then those waited for whose next look is due
		this.jdbc.query(IN_FLIGHT.formatted("outcome_check_at IS NULL AND redriven_at < now() - make_interval(secs => ?) "
				+ "ORDER BY redriven_at"), row, maxWait, (double) this.properties.outcomeTimeout().toSeconds());
		this.jdbc.query(IN_FLIGHT.formatted("outcome_check_at <= now() ORDER BY outcome_check_at"), row, maxWait);
		if (inFlight.isEmpty()) {
			return 0;
		}
		Map<String, Set<TopicPartition>> asked = new HashMap<>();
		for (InFlight redrive : inFlight) {
			if (redrive.group() != null && redrive.partition() != null) {
				asked.computeIfAbsent(redrive.group(), (g) -> new HashSet<>()).add(redrive.partition());
			}
		}
		Map<String, Map<TopicPartition, Long>> committed = this.offsets.committed(asked);
		List<InFlight> consumed = new ArrayList<>();
		Map<InFlight, Long> unread = new LinkedHashMap<>();
		List<InFlight> timedOut = new ArrayList<>();
		for (InFlight redrive : inFlight) {
			Long offset = (committed != null && redrive.group() != null)
					? committed.getOrDefault(redrive.group(), Map.of()).get(redrive.partition()) : null;
			// a committed offset is the next record the group will read: past the redriven record's own
			if (offset != null && offset > redrive.targetOffset()) {
				consumed.add(redrive);
			}
			else if (offset != null && redrive.mayWait()) {
				unread.put(redrive, offset);
			}
			else {
				timedOut.add(redrive);
			}
		}
		int settled = 0;
		if (!consumed.isEmpty()) {
			settled += resolveConsumed(consumed);
		}
		if (!unread.isEmpty()) {
			waitFor(unread);
		}
		if (!timedOut.isEmpty()) {
			Long[] redrives = timedOut.stream().map(InFlight::redrive).toArray(Long[]::new);
			this.jdbc.update("UPDATE dead_letter_redrive SET outcome = 'TIMED_OUT', outcome_at = now() "
					+ "WHERE id = ANY(?::bigint[]) AND outcome IS NULL", (Object) redrives);
			List<String> statuses = afterFailure(timedOut.stream().map(InFlight::entry).toList(),
					"e.status = 'RETRYING' AND e.redrive_id = ANY(?::bigint[])", redrives,
					"no outcome within " + this.properties.outcomeTimeout() + "; ");
			// what afterFailure made of each: scheduled again, failed for good, or left NEW (not retried automatically)
			log.warn("{} redrives had no outcome within {} and were counted as timed out; their entries now: {}",
					statuses.size(), this.properties.outcomeTimeout(), statuses.stream()
						.collect(Collectors.groupingBy((status) -> status, TreeMap::new, Collectors.counting())));
			settled += statuses.size();
		}
		return settled;
	}

	/**
	 * Redrives whose consumer group has not read the record yet, with the offset it will read next: looked at again
	 * after {@code outcome-recheck}, the entry's reason saying what it waits for.
	 */
	private void waitFor(Map<InFlight, Long> unread) {
		List<InFlight> redrives = List.copyOf(unread.keySet());
		this.jdbc.update("""
				UPDATE dead_letter_state e SET outcome_check_at = now() + make_interval(secs => ?),
				    status_reason = 'waiting for consumer group ' || u.grp || ' to read the redriven record ('
				        || u.topic || '-' || u.part || '@' || u.off || '; the group is at offset ' || u.next
				        || '), not sending it again meanwhile',
				    updated_at = now()
				FROM unnest(?::uuid[], ?::bigint[], ?::text[], ?::text[], ?::int[], ?::bigint[], ?::bigint[])
				    AS u(id, rid, grp, topic, part, off, next)
				WHERE e.id = u.id AND e.status = 'RETRYING' AND e.redrive_id = u.rid
				""", (double) this.properties.outcomeRecheck().toSeconds(),
				redrives.stream().map((r) -> r.entry().toString()).toArray(String[]::new),
				redrives.stream().map(InFlight::redrive).toArray(Long[]::new),
				redrives.stream().map(InFlight::group).toArray(String[]::new),
				redrives.stream().map((r) -> Objects.requireNonNull(r.partition()).topic()).toArray(String[]::new),
				redrives.stream().map((r) -> Objects.requireNonNull(r.partition()).partition()).toArray(Integer[]::new),
				redrives.stream().map(InFlight::targetOffset).toArray(Long[]::new),
				redrives.stream().map(unread::get).toArray(Long[]::new));
		log.info("{} redrives without an outcome are not read by their consumer group yet; waiting for it, not sending "
				+ "them again", redrives.size());
	}

	/** Resolves the entries whose redriven record their consumer group read with no failure reported. */
	private int resolveConsumed(List<InFlight> consumed) {
		Long[] redrives = consumed.stream().map(InFlight::redrive).toArray(Long[]::new);
		this.jdbc.update("UPDATE dead_letter_redrive SET outcome = 'CONSUMED', outcome_at = now() "
				+ "WHERE id = ANY(?::bigint[]) AND outcome IS NULL", (Object) redrives);
		List<String> resolved = this.jdbc.queryForList("""
				UPDATE dead_letter_state e SET status = 'RESOLVED', resolved_at = now(), redrive_id = NULL,
				    next_attempt_at = NULL,
				    status_reason = 'read by consumer group ' || r.consumer_group || ' with no failure reported within '
				        || ?, status_changed_at = now(), status_changed_by = 'system', updated_at = now()
				FROM dead_letter_record r
				WHERE e.id = ANY(?::uuid[]) AND r.id = e.id AND e.status = 'RETRYING' AND e.redrive_id = ANY(?::bigint[])
				RETURNING e.status
				""", String.class, this.properties.outcomeTimeout().toString(),
				consumed.stream().map((c) -> c.entry().toString()).toArray(String[]::new), redrives);
		count(resolved);
		log.info("{} redrives without an outcome were read by their consumer group; their entries are resolved",
				resolved.size());
		return resolved.size();
	}

	/**
	 * A redrive in flight past the timeout; {@code group} and {@code partition} are set when the entry's consumer
	 * group reads the redriven record (it went back to the entry's own topic).
	 */
	private record InFlight(UUID entry, long redrive, @Nullable String group, @Nullable TopicPartition partition,
			long targetOffset, boolean mayWait) {
	}

	private List<String> afterFailure(Collection<UUID> entries, String condition, Long @Nullable [] redrives,
			String reasonPrefix) {
		RetryPolicy defaults = this.properties.defaults();
		List<Object> args = new ArrayList<>(List.of(reasonPrefix, defaults.maxAttempts(), defaults.initialDelayMs(),
				defaults.multiplier(), defaults.maxDelayMs(), defaults.jitter(),
				entries.stream().map(UUID::toString).toArray(String[]::new)));
		if (redrives != null) {
			args.add(redrives);
		}
		List<String> statuses = new ArrayList<>();
		List<UUID> permanentlyFailed = new ArrayList<>();
		this.jdbc.query(AFTER_FAILURE.formatted(condition), (rs) -> {
			String status = rs.getString("status");
			statuses.add(status);
			if ("PERMANENTLY_FAILED".equals(status)) {
				permanentlyFailed.add(rs.getObject("id", UUID.class));
			}
		}, args.toArray());
		count(statuses);
		if (!permanentlyFailed.isEmpty()) {
			this.events.publishEvent(new EntriesPermanentlyFailed(permanentlyFailed));
		}
		return statuses;
	}

	private void count(List<String> statuses) {
		for (String status : statuses) {
			if ("PERMANENTLY_FAILED".equals(status) || "RESOLVED".equals(status)) {
				this.meters.counter("dlq.retry.outcomes", "status", status).increment();
			}
		}
	}

	private static boolean isGroup(@Nullable String group) {
		// the kit names no group "null" when its listener context has none
		return group != null && !group.isBlank() && !"null".equals(group);
	}

	private static @Nullable String truncate(@Nullable String text) {
		return (text != null && text.length() > 16_384) ? text.substring(0, 16_384) : text;
	}

	Duration outcomeTimeout() {
		return this.properties.outcomeTimeout();
	}

}
