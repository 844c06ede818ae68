package org.patientplatform.dlq.redrive;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.search.EntryFilter;
import org.patientplatform.kit.jobs.Jobs;
import org.patientplatform.kit.web.ConflictException;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.TimeCursor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Bulk redrive jobs. Creating one snapshots the selected entries as its items in the same transaction
 * that enqueues the kit job, so the job and its items exist together or not at all; the job's whole
 * state (status, items, counters) lives here, so any worker can continue it.
 */
@Repository
class BulkRedrives {

	static final String JOB_TYPE = "dlq.bulk-redrive";

	/** Entries a bulk redrive may send; resolved ones only when the filter asks for them by status. */
	private static final String SENDABLE = "status NOT IN ('DISCARDED', 'RETRYING')";

	private static final RowMapper<NotSelected> NOT_SELECTED = (rs, n) -> {
		String status = rs.getString("status");
		return new NotSelected(rs.getObject("id", UUID.class), (status == null) ? "no such entry"
				: "DISCARDED".equals(status) ? "discarded" : "a redrive is in flight",
				instant(rs.getTimestamp("in_flight_until")));
	};

	private static final RowMapper<BulkRedrive> ROW_MAPPER = (rs, n) -> new BulkRedrive(
			rs.getObject("id", UUID.class), rs.getString("status"), rs.getString("selection"),
			rs.getString("target_topic"), rs.getInt("rate_per_second"), rs.getInt("total"), rs.getInt("sent"),
			rs.getInt("failed"), rs.getInt("skipped"), rs.getString("created_by"), rs.getString("reason"),
			instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("started_at")),
			instant(rs.getTimestamp("updated_at")), instant(rs.getTimestamp("finished_at")), rs.getInt("unconfirmed"));

	private final JdbcTemplate jdbc;

	private final Jobs jobs;

	private final JsonMapper json;

	private final OutcomeTimeout outcomeTimeout;

	BulkRedrives(JdbcTemplate jdbc, Jobs jobs, JsonMapper json, OutcomeTimeout outcomeTimeout) {
		this.jdbc = jdbc;
		this.jobs = jobs;
		this.json = json;
		this.outcomeTimeout = outcomeTimeout;
	}

	/**
	 * The ids of a list that a bulk redrive would not send now, and why: no such entry, discarded, or a
	 * redrive of it in flight, with the latest time that redrive is settled (as the single redrive's 409 gives it in
	 * {@code Retry-After}): its send plus {@code outcome-timeout}, or, for one its consumer group has not read past
	 * that timeout and is waited for, plus {@code outcome-max-wait}.
	 */
	List<NotSelected> notSelected(List<UUID> ids) {
		return this.jdbc.query("""
				SELECT u.id, s.status,
				       CASE WHEN s.status = 'RETRYING' THEN
				           CASE WHEN s.outcome_check_at IS NULL
				                THEN greatest(s.redriven_at + make_interval(secs => ?), now())
				                ELSE s.redriven_at + make_interval(secs => ?) END
				       END AS in_flight_until
				FROM unnest(?::uuid[]) AS u(id)
				LEFT JOIN dead_letter_state s ON s.id = u.id
				WHERE s.id IS NULL OR NOT (%s)
				ORDER BY u.id
				""".formatted(SENDABLE), NOT_SELECTED, (double) this.outcomeTimeout.outcomeTimeout().toSeconds(),
				(double) this.outcomeTimeout.outcomeMaxWait().toSeconds(), (Object) distinct(ids));
	}

	/** How many entries a bulk redrive with this selection would send now. */
	long count(@Nullable EntryFilter filter, @Nullable List<UUID> ids) {
		Selection selection = selection(filter, ids);
		Long count = this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry WHERE " + selection.sql(),
				Long.class, selection.args().toArray());
		return (count != null) ? count : 0;
	}

	@Transactional
	BulkRedrive create(@Nullable EntryFilter filter, @Nullable List<UUID> ids, int ratePerSecond,
			@Nullable String targetTopic, String createdBy, @Nullable String reason) {
		UUID id = UUID.randomUUID();
		Map<String, Object> asked = (filter != null) ? Map.of("filter", filter) : Map.of("ids", ids);
		this.jdbc.update("""
				INSERT INTO bulk_redrive (id, status, selection, target_topic, rate_per_second, created_by, reason)
				VALUES (?, 'RUNNING', ?::jsonb, ?, ?, ?, ?)
				""", id, this.json.writeValueAsString(asked), targetTopic, ratePerSecond, createdBy, reason);
		Selection selection = selection(filter, ids);
		List<Object> args = new ArrayList<>();
		args.add(id);
		args.addAll(selection.args());
		int total = this.jdbc.update("""
				INSERT INTO bulk_redrive_item (bulk_id, seq, entry_id)
				SELECT ?, row_number() OVER (ORDER BY last_failed_at, id), id
				FROM dead_letter_entry WHERE %s
				""".formatted(selection.sql()), args.toArray());
		if (ids != null) {
			// kept with what was asked, so the job's view says which ids it does not send and why
			this.jdbc.update("UPDATE bulk_redrive SET selection = ?::jsonb WHERE id = ?",
					this.json.writeValueAsString(Map.of("ids", ids, "notSelected", notSelected(ids))), id);
		}
		if (total == 0) {
			this.jdbc.update("UPDATE bulk_redrive SET status = 'COMPLETED', finished_at = now() WHERE id = ?", id);
		}
		else {
			this.jdbc.update("UPDATE bulk_redrive SET total = ? WHERE id = ?", total, id);
			enqueue(id, 0);
		}
		return find(id).orElseThrow();
	}

	Optional<BulkRedrive> find(UUID id) {
		return this.jdbc.query("SELECT * FROM bulk_redrive WHERE id = ?", ROW_MAPPER, id).stream().findFirst();
	}

	/**
	 * Why the job's failed items failed: each reason with its count, the ten most frequent (a broker that
	 * did not take the records, a payload that cannot be decrypted, no original topic). No payload is in a
	 * reason.
	 */
	Map<String, Integer> failureReasons(UUID id) {
		return reasons(id, "FAILED", "not sent");
	}

	/**
	 * Why the job's skipped items were skipped when their turn came: each reason with its count ({@code entry was
	 * DISCARDED}, {@code entry was RETRYING}: a redrive of it in flight, {@code entry gone}: purged).
	 */
	Map<String, Integer> skipReasons(UUID id) {
		return reasons(id, "SKIPPED", "skipped");
	}

	private Map<String, Integer> reasons(UUID id, String state, String unnamed) {
		Map<String, Integer> reasons = new LinkedHashMap<>();
		this.jdbc.query("""
				SELECT coalesce(detail, ?) AS reason, count(*) AS items FROM bulk_redrive_item
				WHERE bulk_id = ? AND state = ?
				GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10
				""", (rs) -> {
			reasons.put(rs.getString("reason"), rs.getInt("items"));
		}, unnamed, id, state);
		return reasons;
	}

	/**
	 * Bulk redrives newest first, {@code limit} of them, after the last one of the previous page when given;
	 * only those in {@code status} when given.
	 */
	List<BulkRedrive> recent(int limit, @Nullable TimeCursor after, @Nullable String status) {
		Timestamp afterCreatedAt = (after != null) ? Timestamp.from(after.at()) : null;
		return this.jdbc.query("""
				SELECT * FROM bulk_redrive
				WHERE (?::timestamptz IS NULL OR (created_at, id) < (?::timestamptz, ?::uuid))
				  AND (?::text IS NULL OR status = ?::text)
				ORDER BY created_at DESC, id DESC LIMIT ?
				""", ROW_MAPPER, afterCreatedAt, afterCreatedAt, (after != null) ? after.id() : null, status, status,
				limit);
	}

	@Transactional
	BulkRedrive pause(UUID id) {
		return transition(id, "UPDATE bulk_redrive SET status = 'PAUSED', updated_at = now() "
				+ "WHERE id = ? AND status = 'RUNNING'", "running");
	}

	/** Runs a paused job again, as a fresh kit job that takes over from any earlier run. */
	@Transactional
	BulkRedrive resume(UUID id) {
		List<Integer> generation = this.jdbc.queryForList("""
				UPDATE bulk_redrive SET status = 'RUNNING', generation = generation + 1, updated_at = now()
				WHERE id = ? AND status = 'PAUSED' RETURNING generation
				""", Integer.class, id);
		if (generation.isEmpty()) {
			throw conflictOrMissing(id, "paused");
		}
		enqueue(id, generation.getFirst());
		return find(id).orElseThrow();
	}

	@Transactional
	BulkRedrive cancel(UUID id) {
		return transition(id, "UPDATE bulk_redrive SET status = 'CANCELLED', finished_at = now(), updated_at = now() "
				+ "WHERE id = ? AND status IN ('RUNNING', 'PAUSED')", "running or paused");
	}

	private BulkRedrive transition(UUID id, String sql, String expected) {
		if (this.jdbc.update(sql, id) == 0) {
			throw conflictOrMissing(id, expected);
		}
		return find(id).orElseThrow();
	}

	private RuntimeException conflictOrMissing(UUID id, String expected) {
		return find(id).<RuntimeException>map((bulk) -> new ConflictException(
				"Bulk redrive " + id + " is " + bulk.status() + ", not " + expected))
			.orElseGet(() -> new NotFoundException("No bulk redrive " + id));
	}

	void enqueue(UUID id, Object generation) {
		this.jobs.enqueue(Jobs.DEFAULT, JOB_TYPE, Map.of("bulkId", id.toString()), null,
				JOB_TYPE + ":" + id + ":" + generation, 25);
	}

	private static Selection selection(@Nullable EntryFilter filter, @Nullable List<UUID> ids) {
		if (filter != null) {
			EntryFilter.Where where = filter.where();
			String resolved = filter.hasStatus() ? "" : " AND status <> 'RESOLVED'";
			return new Selection("(" + where.sql() + ") AND " + SENDABLE + resolved, where.args());
		}
		return new Selection("id = ANY(?::uuid[]) AND " + SENDABLE,
				List.of((Object) distinct((ids != null) ? ids : List.of())));
	}

	private static String[] distinct(List<UUID> ids) {
		return ids.stream().map(UUID::toString).distinct().toArray(String[]::new);
	}

	private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	private record Selection(String sql, List<Object> args) {
	}

	/**
	 * An id of a bulk redrive's list that it does not send.
	 *
	 * @param id the id as given
	 * @param reason why: {@code no such entry} (never captured, or purged by retention), {@code discarded},
	 * or {@code a redrive is in flight} (the entry is RETRYING)
	 * @param inFlightUntil for a redrive in flight, the latest time it is settled, after which a bulk redrive may
	 * select the entry again (its send plus {@code dlq.retry.outcome-timeout}; for one waited for past that timeout,
	 * its consumer group not having read it, plus {@code dlq.retry.outcome-max-wait}, which a redrive of the entry
	 * alone does not wait for); absent for the other reasons
	 */
	record NotSelected(UUID id, String reason,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Schema(description = "For a redrive in flight: the latest "
					+ "time it is settled, after which a bulk redrive may select the entry again (its send plus "
					+ "dlq.retry.outcome-timeout; for one waited for past that timeout, its consumer group not having "
					+ "read it, plus dlq.retry.outcome-max-wait, which a redrive of the entry alone does not wait for). "
					+ "Absent for the other reasons", format = "date-time") @Nullable Instant inFlightUntil) {
	}

	/**
	 * A bulk redrive and its progress.
	 *
	 * @param selection the filter or id list as asked (JSON)
	 * @param total entries selected when it was created
	 * @param sent entries sent
	 * @param ratePerSecond the rate limit, 0 for none
	 * @param failed entries the broker refused, or whose send is unconfirmed
	 * @param skipped entries that were discarded, in flight or gone by the time their turn came
	 * @param unconfirmed of {@code failed}, entries whose run stopped between sending and recording them: they
	 * may have gone out, so they are not sent again
	 */
	record BulkRedrive(UUID id, String status, String selection, @Nullable String targetTopic, int ratePerSecond,
			int total, int sent, int failed, int skipped, String createdBy, @Nullable String reason,
			@Nullable Instant createdAt, @Nullable Instant startedAt, @Nullable Instant updatedAt,
			@Nullable Instant finishedAt, int unconfirmed) {

		/** Entries the job has yet to send: none once it is cancelled (they are {@link #cancelled()}). */
		int pending() {
			return "CANCELLED".equals(this.status) ? 0 : notDone();
		}

		/**
		 * Entries a cancelled job never sent nor will: those still to do when it was cancelled, less any of the
		 * chunk in flight then that its run recorded after.
		 */
		int cancelled() {
			return "CANCELLED".equals(this.status) ? notDone() : 0;
		}

		private int notDone() {
			return this.total - this.sent - this.failed - this.skipped;
		}

		JsonNode selectionJson(JsonMapper json) {
			return json.readTree(this.selection);
		}

	}

}
