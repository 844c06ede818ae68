package org.patientplatform.kit.jobs;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.Page;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Enqueues durable jobs on the named queues ({@code default}, {@code notifications},
 * {@code batch-publisher}); a worker role {@code wrk--<queue>} runs them. Enqueueing joins the caller's
 * transaction, so a job exists exactly when the change that asked for it commits.
 */
public class Jobs {

	public static final String DEFAULT = "default";

	public static final String NOTIFICATIONS = "notifications";

	public static final String BATCH_PUBLISHER = "batch-publisher";

	private final JdbcTemplate jdbc;

	private final JsonMapper json;

	public Jobs(JdbcTemplate jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/** Enqueues a job to run now; returns its id. */
	public long enqueue(String queue, String type, Object payload) {
		return enqueue(queue, type, payload, null, null, 10);
	}

	/**
	 * Enqueues a job.
	 * @param runAt when it may run first, or null for now
	 * @param dedupeKey a key that makes a second enqueue of the same job a no-op, or null
	 * @param maxAttempts attempts before the job is kept as FAILED
	 * @return the job's id (the existing one for a duplicate dedupe key)
	 */
	public long enqueue(String queue, String type, Object payload, @Nullable Instant runAt, @Nullable String dedupeKey,
			int maxAttempts) {
		Long id = this.jdbc.queryForObject("""
				INSERT INTO job (queue, job_type, payload, run_at, dedupe_key, max_attempts)
				VALUES (?, ?, ?::jsonb, COALESCE(?, now()), ?, ?)
				ON CONFLICT (dedupe_key) DO UPDATE SET dedupe_key = EXCLUDED.dedupe_key
				RETURNING id
				""", Long.class, queue, type, this.json.writeValueAsString(payload),
				(runAt != null) ? runAt.atOffset(ZoneOffset.UTC) : null, dedupeKey, maxAttempts);
		return (id != null) ? id : -1;
	}

	/**
	 * Jobs in a state, the most recently changed first, one keyset page for the ops endpoint.
	 * @param queue only this queue's jobs, or null for every queue
	 * @param status the state
	 * @param cursor the page's start, from the previous page's {@code nextCursor}, or null for the first
	 * @param limit the page size
	 * @throws Page.InvalidCursorException (answered 400) for a cursor this method did not write
	 */
	public Page<JobView> list(@Nullable String queue, String status, @Nullable String cursor, int limit) {
		Instant before = null;
		Long beforeId = null;
		if (cursor != null && !cursor.isBlank()) {
			List<String> parts = Page.decode(cursor, 2);
			try {
				before = Instant.parse(parts.get(0));
				beforeId = Long.valueOf(parts.get(1));
			}
			catch (DateTimeException | NumberFormatException ex) {
				throw new Page.InvalidCursorException();
			}
		}
		OffsetDateTime at = (before != null) ? before.atOffset(ZoneOffset.UTC) : null;
		List<JobView> rows = this.jdbc.query("""
				SELECT id, queue, job_type, status, attempts, max_attempts, run_at, last_error, created_at, updated_at,
				       finished_at
				FROM job WHERE status = ? AND (?::text IS NULL OR queue = ?)
				  AND (?::timestamptz IS NULL OR (updated_at, id) < (?::timestamptz, ?::bigint))
				ORDER BY updated_at DESC, id DESC LIMIT ?
				""", (rs, n) -> new JobView(rs.getLong("id"), rs.getString("queue"), rs.getString("job_type"),
				rs.getString("status"), rs.getInt("attempts"), rs.getInt("max_attempts"),
				rs.getTimestamp("run_at").toInstant(), rs.getString("last_error"), rs.getTimestamp("created_at").toInstant(),
				rs.getTimestamp("updated_at").toInstant(),
				(rs.getTimestamp("finished_at") != null) ? rs.getTimestamp("finished_at").toInstant() : null), status, queue, queue, at, at, beforeId, limit + 1);
		return Page.of(rows, limit, (job) -> List.of(job.updatedAt().toString(), Long.toString(job.id())));
	}

	/** Puts a FAILED job back to READY with fresh attempts. */
	public boolean retry(long id) {
		return this.jdbc.update("UPDATE job SET status = 'READY', attempts = 0, run_at = now(), last_error = NULL, "
				+ "updated_at = now() WHERE id = ? AND status = 'FAILED'", id) == 1;
	}

	static Duration backoff(int attempt) {
		long seconds = Math.min(3600, (long) Math.pow(2, Math.min(attempt, 12)));
		long jitter = (long) (seconds * 0.2 * Math.random());
		return Duration.ofSeconds(seconds + jitter);
	}

}
