package org.patientplatform.notification.housekeeping;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.patientplatform.notification.delivery.DeliveryState;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Builds the daily delivery report and keeps one per day. */
@Repository
class DeliveryReports {

	private final JdbcTemplate jdbc;

	private final JsonMapper json;

	DeliveryReports(JdbcTemplate jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/** Builds (or rebuilds) the report of a UTC day from the notifications created on it, and keeps it. */
	DeliveryReport build(LocalDate day, Instant now) {
		OffsetDateTime from = day.atStartOfDay().atOffset(ZoneOffset.UTC);
		OffsetDateTime to = from.plusDays(1);
		Map<String, Map<DeliveryState, Long>> byLine = new TreeMap<>();
		Map<DeliveryState, Long> total = new EnumMap<>(DeliveryState.class);
		this.jdbc.query("""
				SELECT n.type, coalesce(d.channel, 'NONE') AS channel, coalesce(d.state, n.state) AS state,
				       count(*) AS count
				FROM notification n LEFT JOIN delivery d ON d.notification_id = n.id
				WHERE n.created_at >= ? AND n.created_at < ?
				GROUP BY 1, 2, 3
				""", (rs) -> {
			DeliveryState state = DeliveryState.valueOf(rs.getString("state"));
			long count = rs.getLong("count");
			byLine.computeIfAbsent(rs.getString("type") + "\u001f" + rs.getString("channel"),
					(key) -> new EnumMap<>(DeliveryState.class))
				.merge(state, count, Long::sum);
			total.merge(state, count, Long::sum);
		}, from, to);
		Long notifications = this.jdbc.queryForObject(
				"SELECT count(*) FROM notification WHERE created_at >= ? AND created_at < ?", Long.class, from, to);
		List<DeliveryReport.Line> lines = new ArrayList<>();
		byLine.forEach((key, counts) -> {
			String[] parts = key.split("\u001f", 2);
			lines.add(DeliveryReport.Line.of(parts[0], parts[1], counts));
		});
		DeliveryReport report = new DeliveryReport(day, now, (notifications != null) ? notifications : 0, lines,
				DeliveryReport.Line.of("*", "*", total));
		this.jdbc.update("""
				INSERT INTO notification_daily_report (day, built_at, content) VALUES (?, ?, ?::jsonb)
				ON CONFLICT (day) DO UPDATE SET built_at = EXCLUDED.built_at, content = EXCLUDED.content
				""", day, now.atOffset(ZoneOffset.UTC), this.json.writeValueAsString(report));
		return report;
	}

	Optional<DeliveryReport> find(LocalDate day) {
		return read("SELECT content::text FROM notification_daily_report WHERE day = ?", day);
	}

	/** The report of the latest day that has one. */
	Optional<DeliveryReport> latest() {
		return read("SELECT content::text FROM notification_daily_report ORDER BY day DESC LIMIT 1");
	}

	private Optional<DeliveryReport> read(String sql, Object... args) {
		return this.jdbc.queryForList(sql, String.class, args)
			.stream()
			.findFirst()
			.map((content) -> this.json.readValue(content, DeliveryReport.class));
	}

}
