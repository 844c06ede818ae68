package org.patientplatform.dlq.retention;

import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Purges closed entries in batches, one transaction each. Only {@code RESOLVED} and {@code DISCARDED}
 * entries whose {@code updated_at} (every change of an entry sets it) is older than the retention go;
 * their failure history goes in the same statement and their redrives with them ({@code ON DELETE
 * CASCADE}). Logs counts only.
 */
@Component
class Retention {

	private static final Logger log = LoggerFactory.getLogger(Retention.class);

	private static final String PURGE = """
			WITH purged AS (
			    DELETE FROM dead_letter_entry WHERE id IN (
			        SELECT id FROM dead_letter_entry
			        WHERE status IN ('RESOLVED', 'DISCARDED') AND updated_at < now() - make_interval(days => ?)
			        LIMIT ? FOR UPDATE SKIP LOCKED)
			      AND status IN ('RESOLVED', 'DISCARDED')
			    RETURNING id, status),
			history AS (
			    DELETE FROM dead_letter_attempt a USING purged p WHERE a.entry_id = p.id),
			redrives AS (
			    DELETE FROM dead_letter_redrive r USING purged p WHERE r.entry_id = p.id)
			SELECT status FROM purged
			""";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final RetentionProperties properties;

	Retention(JdbcTemplate jdbc, TransactionTemplate transactions, RetentionProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.properties = properties;
	}

	/**
	 * Purges what is past retention.
	 * @return the number of entries deleted per status
	 */
	Map<String, Integer> purge() {
		Map<String, Integer> deleted = new TreeMap<>();
		int batch = Math.max(1, this.properties.batchSize());
		while (true) {
			var statuses = this.transactions.execute((tx) -> this.jdbc.queryForList(PURGE, String.class,
					this.properties.resolvedDays(), batch));
			if (statuses == null || statuses.isEmpty()) {
				break;
			}
			statuses.forEach((status) -> deleted.merge(status, 1, Integer::sum));
			if (statuses.size() < batch) {
				break;
			}
		}
		int alerts = this.jdbc.update("DELETE FROM ops_alert WHERE created_at < now() - make_interval(days => ?)",
				this.properties.resolvedDays());
		log.info("DLQ retention ({} days): deleted entries {}, {} old alert records", this.properties.resolvedDays(),
				deleted, alerts);
		return deleted;
	}

}
