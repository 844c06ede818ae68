package org.patientplatform.notification.reminders;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.TimeCursor;
import org.patientplatform.notification.delivery.Priority;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The stored reminder rules. */
@Repository
class ReminderRules {

	private static final TypeReference<Map<String, String>> PARAMETERS = new TypeReference<>() {
	};

	private static final String COLUMNS = """
			SELECT id, patient_id, type, priority, parameters::text AS parameters, cron,
			       extract(epoch FROM every) AS every_seconds, timezone, ends_at, next_run_at, last_run_at, fired,
			       missed, active, created_by, deleted_by, created_at, updated_at
			FROM reminder_rule
			""";

	private final JdbcTemplate jdbc;

	private final JsonMapper json;

	ReminderRules(JdbcTemplate jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	void insert(ReminderRule rule) {
		this.jdbc.update("""
				INSERT INTO reminder_rule (id, patient_id, type, priority, parameters, cron, every, timezone, ends_at,
				    next_run_at, active, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?::jsonb, ?, ?::interval, ?, ?, ?, true, ?, ?, ?)
				""", rule.id(), rule.patientId(), rule.type(), rule.priority().name(),
				this.json.writeValueAsString(rule.parameters()), rule.cron(),
				(rule.every() != null) ? rule.every().toString() : null, rule.timezone(), timestamp(rule.endsAt()),
				timestamp(rule.nextRunAt()), rule.createdBy(), timestamp(rule.createdAt()),
				timestamp(rule.updatedAt()));
	}

	Optional<ReminderRule> find(UUID id) {
		return this.jdbc.query(COLUMNS + " WHERE id = ?", this::rule, id).stream().findFirst();
	}

	/** Newest first, one patient's or all; {@code limit + 1} rows at most. */
	List<ReminderRule> page(@Nullable String patientId, @Nullable TimeCursor after, int limit) {
		List<String> where = new ArrayList<>();
		List<Object> args = new ArrayList<>();
		if (patientId != null) {
			where.add("patient_id = ?");
			args.add(patientId);
		}
		if (after != null) {
			where.add("(created_at, id) < (?, ?)");
			args.add(timestamp(after.at()));
			args.add(after.id());
		}
		args.add(limit + 1);
		String filter = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
		return this.jdbc.query(COLUMNS + filter + " ORDER BY created_at DESC, id DESC LIMIT ?", this::rule,
				args.toArray());
	}

	/** Deactivates a rule; true when it exists (deleting twice is fine). */
	boolean deactivate(UUID id, String deletedBy, Instant now) {
		this.jdbc.update("""
				UPDATE reminder_rule SET active = false, deleted_by = ?, next_run_at = NULL, updated_at = ?
				WHERE id = ? AND active
				""", deletedBy, timestamp(now), id);
		return find(id).isPresent();
	}

	/**
	 * Active rules due at {@code now}, oldest due first, locked until the transaction
	 * ends; rules another transaction holds are skipped (it is firing them).
	 */
	List<ReminderRule> lockDue(Instant now, int limit) {
		return this.jdbc.query(COLUMNS + """
				WHERE active AND next_run_at <= ? ORDER BY next_run_at, id LIMIT ? FOR UPDATE SKIP LOCKED
				""", this::rule, timestamp(now), limit);
	}

	/** Moves a rule on after an occurrence, in the transaction that made its reminder. */
	void advance(UUID id, @Nullable Instant nextRunAt, @Nullable Instant lastRunAt, int fired, int missed,
			Instant now) {
		this.jdbc.update("""
				UPDATE reminder_rule SET next_run_at = ?, last_run_at = ?, fired = fired + ?, missed = missed + ?,
				    updated_at = ?
				WHERE id = ?
				""", timestamp(nextRunAt), timestamp(lastRunAt), fired, missed, timestamp(now), id);
	}

	private ReminderRule rule(ResultSet rs, int row) throws SQLException {
		double seconds = rs.getDouble("every_seconds");
		Duration every = rs.wasNull() ? null : Duration.ofMillis(Math.round(seconds * 1000));
		return new ReminderRule(rs.getObject("id", UUID.class), rs.getString("patient_id"), rs.getString("type"),
				Priority.valueOf(rs.getString("priority")), this.json.readValue(rs.getString("parameters"), PARAMETERS),
				rs.getString("cron"), every, rs.getString("timezone"), instant(rs, "ends_at"),
				instant(rs, "next_run_at"), instant(rs, "last_run_at"), rs.getInt("fired"), rs.getInt("missed"),
				rs.getBoolean("active"), rs.getString("created_by"), rs.getString("deleted_by"),
				requiredInstant(rs, "created_at"), requiredInstant(rs, "updated_at"));
	}

	private static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
		return (instant != null) ? instant.atOffset(ZoneOffset.UTC) : null;
	}

	private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	private static Instant requiredInstant(ResultSet rs, String column) throws SQLException {
		return rs.getObject(column, OffsetDateTime.class).toInstant();
	}

}
