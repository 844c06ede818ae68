package org.patientplatform.dlq.retry;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** The retry policies stored per topic; a topic without one uses the configured defaults. */
@Repository
class RetryPolicies {

	private static final RowMapper<StoredPolicy> ROW_MAPPER = (rs, n) -> new StoredPolicy(rs.getString("topic"),
			new RetryPolicy(rs.getInt("max_attempts"), rs.getLong("initial_delay_ms"), rs.getDouble("multiplier"),
					rs.getLong("max_delay_ms"), rs.getDouble("jitter")),
			rs.getTimestamp("updated_at").toInstant(), rs.getString("updated_by"));

	private final JdbcTemplate jdbc;

	RetryPolicies(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	Optional<StoredPolicy> find(String topic) {
		return this.jdbc.query("SELECT * FROM retry_policy WHERE topic = ?", ROW_MAPPER, topic).stream().findFirst();
	}

	List<StoredPolicy> findAll() {
		return this.jdbc.query("SELECT * FROM retry_policy ORDER BY topic", ROW_MAPPER);
	}

	StoredPolicy save(String topic, RetryPolicy policy, String updatedBy) {
		Timestamp updatedAt = this.jdbc.queryForObject("""
				INSERT INTO retry_policy (topic, max_attempts, initial_delay_ms, multiplier, max_delay_ms, jitter,
				    updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (topic) DO UPDATE SET max_attempts = EXCLUDED.max_attempts,
				    initial_delay_ms = EXCLUDED.initial_delay_ms, multiplier = EXCLUDED.multiplier,
				    max_delay_ms = EXCLUDED.max_delay_ms, jitter = EXCLUDED.jitter, updated_at = now(),
				    updated_by = EXCLUDED.updated_by
				RETURNING updated_at
				""", Timestamp.class, topic, policy.maxAttempts(), policy.initialDelayMs(), policy.multiplier(),
				policy.maxDelayMs(), policy.jitter(), updatedBy);
		return new StoredPolicy(topic, policy, (updatedAt != null) ? updatedAt.toInstant() : Instant.now(), updatedBy);
	}

	boolean delete(String topic) {
		return this.jdbc.update("DELETE FROM retry_policy WHERE topic = ?", topic) == 1;
	}

	record StoredPolicy(String topic, RetryPolicy policy, @Nullable Instant updatedAt, @Nullable String updatedBy) {
	}

}
