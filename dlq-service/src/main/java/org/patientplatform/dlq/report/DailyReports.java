package org.patientplatform.dlq.report;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Builds the daily report from the entries, failures, redrives and status changes, and keeps one per day.
 */
@Repository
class DailyReports {

	static final int TOP = 50;

	private final JdbcTemplate jdbc;

	private final JsonMapper json;

	private final Clock clock;

	DailyReports(JdbcTemplate jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
		this.clock = Clock.systemUTC();
	}

	/** Builds (or rebuilds) the report of a day and keeps it. */
	DailyReport build(LocalDate day) {
		OffsetDateTime from = day.atStartOfDay().atOffset(ZoneOffset.UTC);
		OffsetDateTime to = from.plusDays(1);
		Long newEntries = this.jdbc.queryForObject(
				"SELECT count(*) FROM dead_letter_record WHERE first_failed_at >= ? AND first_failed_at < ?", Long.class,
				from, to);
		List<DailyReport.Count> services = new ArrayList<>();
		List<DailyReport.Count> topics = new ArrayList<>();
		List<DailyReport.Count> errors = new ArrayList<>();
		long[] failures = { 0 };
		this.jdbc.query("""
				SELECT GROUPING(e.source_service, e.original_topic, a.error_class) AS grouping_set,
				       coalesce(e.source_service, '(none)') AS service, coalesce(e.original_topic, '(none)') AS topic,
				       coalesce(a.error_class, '(none)') AS error_class, count(*) AS failures
				FROM dead_letter_attempt a JOIN dead_letter_record e ON e.id = a.entry_id
				WHERE a.failed_at >= ? AND a.failed_at < ?
				GROUP BY GROUPING SETS ((e.source_service), (e.original_topic), (a.error_class), ())
				ORDER BY failures DESC, service, topic, error_class
				""", (rs) -> {
			long count = rs.getLong("failures");
			switch (rs.getInt("grouping_set")) {
				case 0b011 -> add(services, rs.getString("service"), count);
				case 0b101 -> add(topics, rs.getString("topic"), count);
				case 0b110 -> add(errors, rs.getString("error_class"), count);
				default -> failures[0] = count;
			}
		}, from, to);
		Map<String, Object> redrives = this.jdbc.queryForMap("""
				SELECT count(*) AS sent, count(*) FILTER (WHERE kind = 'AUTOMATIC') AS automatic,
				       count(*) FILTER (WHERE outcome IN ('SUCCEEDED', 'CONSUMED')) AS succeeded,
				       count(*) FILTER (WHERE outcome = 'FAILED') AS failed,
				       count(*) FILTER (WHERE outcome = 'TIMED_OUT') AS timed_out,
				       count(*) FILTER (WHERE outcome IS NULL) AS awaiting
				FROM dead_letter_redrive WHERE sent_at >= ? AND sent_at < ?
				""", from, to);
		long succeeded = number(redrives, "succeeded");
		long ended = succeeded + number(redrives, "failed") + number(redrives, "timed_out");
		// what happened that day, from the status changes kept (V20), whatever became of the entries since: an
		// entry that failed permanently and was then resolved counts in both, one resolved and then reopened by a
		// new failure still counts as resolved, and a day's figures stay as they were when it is built again
		Map<String, Object> changes = this.jdbc.queryForMap("""
				SELECT count(DISTINCT entry_id) FILTER (WHERE status = 'RESOLVED') AS resolved,
				       count(DISTINCT entry_id) FILTER (WHERE status = 'PERMANENTLY_FAILED') AS permanently_failed,
				       count(DISTINCT entry_id) FILTER (WHERE status = 'DISCARDED') AS discarded
				FROM dead_letter_status_change
				WHERE changed_at >= ? AND changed_at < ?
				""", from, to);
		Map<String, Object> states = this.jdbc.queryForMap("""
				SELECT count(*) FILTER (WHERE status IN ('NEW', 'RETRY_SCHEDULED', 'RETRYING', 'PERMANENTLY_FAILED'))
				           AS unresolved,
				       min(first_failed_at) FILTER (WHERE status IN ('NEW', 'RETRY_SCHEDULED', 'RETRYING',
				           'PERMANENTLY_FAILED')) AS oldest
				FROM dead_letter_state
				""");
		Instant builtAt = this.clock.instant();
		Timestamp oldest = (Timestamp) states.get("oldest");
		DailyReport report = new DailyReport(day, builtAt, (newEntries != null) ? newEntries : 0, failures[0],
				services, topics, errors,
				new DailyReport.Redrives(number(redrives, "sent"), number(redrives, "automatic"), succeeded,
						number(redrives, "failed"), number(redrives, "timed_out"), number(redrives, "awaiting"),
						(ended > 0) ? (double) succeeded / ended : null),
				number(changes, "resolved"), number(changes, "permanently_failed"), number(changes, "discarded"),
				number(states, "unresolved"), (oldest != null) ? oldest.toInstant() : null,
				(oldest != null) ? Math.max(0, builtAt.getEpochSecond() - oldest.toInstant().getEpochSecond()) : 0);
		this.jdbc.update("""
				INSERT INTO daily_report (day, built_at, content) VALUES (?, ?, ?::jsonb)
				ON CONFLICT (day) DO UPDATE SET built_at = EXCLUDED.built_at, content = EXCLUDED.content
				""", day, Timestamp.from(builtAt), this.json.writeValueAsString(report));
		return report;
	}

	Optional<DailyReport> find(LocalDate day) {
		return this.jdbc.queryForList("SELECT content::text FROM daily_report WHERE day = ?", String.class, day)
			.stream()
			.findFirst()
			.map((content) -> this.json.readValue(content, DailyReport.class));
	}

	List<LocalDate> days(int limit) {
		return this.jdbc.queryForList("SELECT day FROM daily_report ORDER BY day DESC LIMIT ?", LocalDate.class, limit);
	}

	private static void add(List<DailyReport.Count> counts, String name, long count) {
		if (counts.size() < TOP) {
			counts.add(new DailyReport.Count(name, count));
		}
	}

	private static long number(Map<String, Object> row, String column) {
		Object value = row.get(column);
		return (value instanceof Number number) ? number.longValue() : 0;
	}

}
