package org.patientplatform.dlq.retry;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.patientplatform.dlq.capture.FirstRetryPlanner;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The first automatic redrive of new retryable entries, planned in the capture transaction: the same
 * delay and status reason as {@link RetrySchedule} gives an entry after its first failure (redrive 0 of
 * the topic's policy), so a new entry is written once. A topic whose policy allows no automatic redrive
 * is left to {@link RetrySchedule} (it fails the entry permanently and raises the alert).
 */
@Component
class FirstRetries implements FirstRetryPlanner {

	private final JdbcTemplate jdbc;

	private final RetryProperties properties;

	FirstRetries(JdbcTemplate jdbc, RetryProperties properties) {
		this.jdbc = jdbc;
		this.properties = properties;
	}

	@Override
	public Map<String, Plan> plan(Set<String> topics) {
		if (topics.isEmpty()) {
			return Map.of();
		}
		Map<String, RetryPolicy> policies = new HashMap<>();
		this.jdbc.query("""
				SELECT topic, max_attempts, initial_delay_ms, multiplier, max_delay_ms, jitter
				FROM retry_policy WHERE topic = ANY(?::text[])
				""", (rs) -> {
			policies.put(rs.getString("topic"), new RetryPolicy(rs.getInt("max_attempts"),
					rs.getLong("initial_delay_ms"), rs.getDouble("multiplier"), rs.getLong("max_delay_ms"),
					rs.getDouble("jitter")));
		}, (Object) topics.toArray(String[]::new));
		RetryPolicy defaults = this.properties.defaults();
		Map<String, Plan> plans = new HashMap<>();
		for (String topic : topics) {
			RetryPolicy policy = policies.getOrDefault(topic, defaults);
			if (policy.maxAttempts() > 0) {
				plans.put(topic, new FirstRetry(policy));
			}
		}
		return plans;
	}

	private record FirstRetry(RetryPolicy policy) implements Plan {

		@Override
		public Duration nextDelay() {
			return this.policy.delay(0, ThreadLocalRandom.current().nextDouble());
		}

		@Override
		public String reason() {
			return "automatic retry 1 of " + this.policy.maxAttempts() + " scheduled";
		}

	}

}
