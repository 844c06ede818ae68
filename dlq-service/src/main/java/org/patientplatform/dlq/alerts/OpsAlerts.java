package org.patientplatform.dlq.alerts;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.capture.DeadLettersCaptured;
import org.patientplatform.dlq.retry.EntriesPermanentlyFailed;
import org.patientplatform.kit.jobs.Jobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Raises ops alerts as kit jobs on the {@code notifications} queue, each with a de-duplication key
 * ({@code dlq-alert:<type>:<subject>[:<UTC hour>]}) so the same cause never enqueues a second job.
 * Permanent failures and new patterns are raised in the transaction that caused them; the volume spike
 * (of all failures, and of each pattern) and the oldest unresolved entry are checked by {@link #check()}
 * (the cron role, every minute).
 * Summaries carry ids, counts and fingerprints (a failing service may name its own), never payloads or error
 * texts.
 */
@Component
class OpsAlerts {

	static final String JOB_TYPE = "dlq.ops-alert";

	static final String PERMANENT_FAILURE = "PERMANENT_FAILURE";

	static final String NEW_PATTERN = "NEW_PATTERN";

	static final String VOLUME_SPIKE = "VOLUME_SPIKE";

	static final String PATTERN_SPIKE = "PATTERN_SPIKE";

	static final String OLDEST_UNRESOLVED = "OLDEST_UNRESOLVED";

	private static final Logger log = LoggerFactory.getLogger(OpsAlerts.class);

	private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH").withZone(ZoneOffset.UTC);

	private final JdbcTemplate jdbc;

	private final Jobs jobs;

	private final AlertProperties properties;

	OpsAlerts(JdbcTemplate jdbc, Jobs jobs, AlertProperties properties) {
		this.jdbc = jdbc;
		this.jobs = jobs;
		this.properties = properties;
	}

	@EventListener
	@Transactional(propagation = Propagation.MANDATORY)
	void on(EntriesPermanentlyFailed failed) {
		String[] ids = failed.entryIds().stream().map(UUID::toString).toArray(String[]::new);
		// the failures so far: the record's count, or the original and each failed redrive when the origin's
		// outcome of the last one was applied before the capture stored that failure (it comes on another topic)
		// (a redrive nobody answered within the outcome timeout counted as failed, but the entry's history holds no
		// failure for it: said apart, so the alert does not count failures the entry does not show)
		this.jdbc.query("""
				SELECT r.id, GREATEST(r.attempts, s.retry_count + 1) AS attempts, r.fingerprint,
				       (SELECT count(*) FROM dead_letter_redrive d WHERE d.entry_id = r.id AND d.outcome = 'TIMED_OUT')
				           AS unanswered
				FROM dead_letter_record r JOIN dead_letter_state s ON s.id = r.id
				WHERE r.id = ANY(?::uuid[])
				""", (rs) -> {
			UUID id = rs.getObject("id", UUID.class);
			String fingerprint = rs.getString("fingerprint");
			long unanswered = rs.getLong("unanswered");
			raise(PERMANENT_FAILURE, id.toString(), true,
					"DLQ entry " + id + " failed permanently after " + rs.getInt("attempts")
							+ ((unanswered > 0) ? " attempts, " + unanswered + " of them redrives without an outcome"
									: ((rs.getInt("attempts") == 1) ? " failure" : " failures"))
							+ ((fingerprint != null) ? " (pattern " + fingerprint + ")" : ""),
					params("entryId", id.toString(), "attempts", rs.getInt("attempts"), "fingerprint", fingerprint));
		}, (Object) ids);
	}

	@EventListener
	@Transactional(propagation = Propagation.MANDATORY)
	void on(DeadLettersCaptured captured) {
		String[] ids = Stream
			.concat(captured.failedOriginals().stream(),
					captured.failedRedrives().stream().map(DeadLettersCaptured.RedriveFailure::entryId))
			.distinct()
			.map(UUID::toString)
			.toArray(String[]::new);
		if (ids.length == 0) {
			return;
		}
		if (!captured.fingerprints().isEmpty()) {
			// the capture named its fingerprints: no need to read them back from the entries
			List<String> fresh = this.jdbc.queryForList("""
					INSERT INTO alert_fingerprint (fingerprint)
					SELECT f FROM unnest(?::text[]) AS f ORDER BY 1
					ON CONFLICT DO NOTHING
					RETURNING fingerprint
					""", String.class, (Object) captured.fingerprints().keySet().toArray(String[]::new));
			for (String fingerprint : fresh) {
				newPattern(fingerprint, String.valueOf(captured.fingerprints().get(fingerprint)));
			}
			return;
		}
		// the first transaction to store a fingerprint owns its alert (the insert waits for a concurrent one)
		List<String> fresh = this.jdbc.queryForList("""
				INSERT INTO alert_fingerprint (fingerprint)
				SELECT DISTINCT fingerprint FROM dead_letter_record WHERE id = ANY(?::uuid[]) AND fingerprint IS NOT NULL
				ORDER BY 1
				ON CONFLICT DO NOTHING
				RETURNING fingerprint
				""", String.class, (Object) ids);
		for (String fingerprint : fresh) {
			List<UUID> sample = this.jdbc.queryForList(
					"SELECT id FROM dead_letter_record WHERE fingerprint = ? AND id = ANY(?::uuid[]) LIMIT 1", UUID.class,
					fingerprint, ids);
			newPattern(fingerprint, sample.isEmpty() ? "" : sample.getFirst().toString());
		}
	}

	private void newPattern(String fingerprint, String sampleEntry) {
		raise(NEW_PATTERN, fingerprint, false, "New DLQ failure pattern " + fingerprint + " (sample entry "
				+ sampleEntry + ")", params("fingerprint", fingerprint, "sampleEntryId", sampleEntry));
	}

	/** The volume and age checks; raises what is due (each at most once per hour). */
	@Transactional
	void check() {
		// the failures of the last hour and of the hour before, in all and per failure pattern, in one pass
		// (a pattern first seen within the hour has its NEW_PATTERN alert: its first hour is no jump; unless the
		// hourly limit suppressed that alert, as an incident's tenth small pattern can do to its big one)
		this.jdbc.query("""
				SELECT c.everything, c.fingerprint, c.last_hour, c.hour_before,
				       coalesce(f.first_seen_at >= now() - interval '1 hour', false)
				           AND NOT EXISTS (SELECT 1 FROM ops_alert a
				                           WHERE a.dedupe_key = 'dlq-alert:NEW_PATTERN:' || c.fingerprint
				                             AND NOT a.delivered) AS fresh
				FROM (SELECT GROUPING(fingerprint) = 1 AS everything, fingerprint,
				             count(*) FILTER (WHERE failed_at >= now() - interval '1 hour') AS last_hour,
				             count(*) FILTER (WHERE failed_at < now() - interval '1 hour') AS hour_before
				      FROM dead_letter_attempt WHERE failed_at >= now() - interval '2 hours'
				      GROUP BY GROUPING SETS ((), (fingerprint))) c
				LEFT JOIN alert_fingerprint f ON f.fingerprint = c.fingerprint
				""", (rs) -> {
			long lastHour = rs.getLong("last_hour");
			long hourBefore = rs.getLong("hour_before");
			if (lastHour < this.properties.volumeSpikeMinimum()
					|| lastHour <= this.properties.volumeSpikeFactor() * hourBefore) {
				return;
			}
			if (rs.getBoolean("everything")) {
				raise(VOLUME_SPIKE, "all", true, "DLQ volume spike: " + lastHour + " failures in the last hour, "
						+ hourBefore + " the hour before", params("lastHour", lastHour, "hourBefore", hourBefore));
			}
			else if (rs.getString("fingerprint") != null && !rs.getBoolean("fresh")) {
				// a known pattern whose rate jumps (issue 5, point 4), which the volume of all of them can hide
				String fingerprint = rs.getString("fingerprint");
				raise(PATTERN_SPIKE, fingerprint, true,
						"DLQ failure pattern " + fingerprint + " jumped: " + lastHour + " failures in the last hour, "
								+ hourBefore + " the hour before",
						params("fingerprint", fingerprint, "lastHour", lastHour, "hourBefore", hourBefore));
			}
		});
		this.jdbc.query("""
				SELECT id, first_failed_at FROM dead_letter_state
				WHERE status IN ('NEW', 'RETRY_SCHEDULED', 'RETRYING', 'PERMANENTLY_FAILED')
				ORDER BY first_failed_at LIMIT 1
				""", (rs) -> {
			UUID id = rs.getObject("id", UUID.class);
			Duration age = Duration.between(rs.getTimestamp("first_failed_at").toInstant(), Instant.now());
			if (age.compareTo(this.properties.oldestUnresolved()) > 0) {
				raise(OLDEST_UNRESOLVED, id.toString(), true, "Oldest unresolved DLQ entry " + id + " is "
						+ age.toHours() + " h old", params("entryId", id.toString(), "ageSeconds", age.toSeconds()));
			}
		});
	}

	/**
	 * Enqueues an alert job unless one with the same key exists.
	 * @param perHour whether the key includes the current UTC hour (a cause that may recur)
	 * @return the dedupe key
	 */
	String raise(String type, String subject, boolean perHour, String summary, Map<String, Object> params) {
		String key = "dlq-alert:" + type + ":" + subject
				+ (perHour ? ":" + HOUR.format(Instant.now().truncatedTo(ChronoUnit.HOURS)) : "");
		Map<String, Object> payload = new LinkedHashMap<>();
		payload.put("alertType", type);
		payload.put("summary", summary);
		payload.put("dedupeKey", key);
		payload.put("details", params);
		long job = this.jobs.enqueue(Jobs.NOTIFICATIONS, JOB_TYPE, payload, null, key, 10);
		log.info("Ops alert {} raised as job {} ({})", type, job, key);
		return key;
	}

	private static Map<String, Object> params(Object... pairs) {
		Map<String, Object> params = new LinkedHashMap<>();
		for (int i = 0; i + 1 < pairs.length; i += 2) {
			@Nullable Object value = pairs[i + 1];
			if (value != null) {
				params.put((String) pairs[i], value);
			}
		}
		return params;
	}

}
