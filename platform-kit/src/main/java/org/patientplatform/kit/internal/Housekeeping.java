package org.patientplatform.kit.internal;

import java.time.Duration;

import org.patientplatform.kit.cron.CronTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Daily clean-up of the kit's own tables (role {@code cron}): processed-message rows past the redelivery
 * horizon, finished jobs, cron occurrences, expired Idempotency-Keys. The audit log is never touched.
 */
class Housekeeping implements CronTask {

	private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

	private final JdbcTemplate jdbc;

	private final Duration retention;

	Housekeeping(JdbcTemplate jdbc, Duration retention) {
		this.jdbc = jdbc;
		this.retention = retention;
	}

	@Override
	public String name() {
		return "platform-kit-housekeeping";
	}

	@Override
	public String cron() {
		return "0 23 3 * * *";
	}

	@Override
	public void run() {
		double seconds = this.retention.toSeconds();
		int processed = this.jdbc.update(
				"DELETE FROM processed_message WHERE processed_at < now() - make_interval(secs => ?)", seconds);
		int jobs = this.jdbc.update("DELETE FROM job WHERE status = 'SUCCEEDED' AND finished_at < now() - "
				+ "make_interval(secs => ?)", seconds);
		int occurrences = this.jdbc
			.update("DELETE FROM cron_occurrence WHERE scheduled_for < now() - make_interval(secs => ?)", seconds);
		int keys = this.jdbc.update("DELETE FROM idempotency_key WHERE expires_at < now()");
		log.info("Housekeeping removed {} processed-message rows, {} finished jobs, {} cron occurrences, {} "
				+ "idempotency keys", processed, jobs, occurrences, keys);
	}

}
