package org.patientplatform.dlq.retention;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.patientplatform.dlq.capture.StackTraces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Purges closed entries in batches, one transaction each. Only {@code RESOLVED} and {@code DISCARDED}
 * entries whose {@code updated_at} (every change of an entry sets it) is older than the retention go;
 * their record, failure history, redrives and status changes go in the same statement. Then the stack traces that no entry
 * holds any more go. Logs counts only.
 */
@Component
class Retention {

	private static final Logger log = LoggerFactory.getLogger(Retention.class);

	/*
	 * A batch of closed entries past retention, their records locked first (the order of every path that
	 * changes both rows: a capture of the same original record takes the record's row, then the state's);
	 * entries someone else holds are left for the next run.
	 */
	private static final String LOCK_RECORDS = """
			SELECT r.id FROM dead_letter_record r
			WHERE r.id IN (
			    SELECT id FROM dead_letter_state
			    WHERE status IN ('RESOLVED', 'DISCARDED') AND updated_at < now() - make_interval(days => ?)
			    LIMIT ?)
			ORDER BY r.id FOR UPDATE SKIP LOCKED
			""";

	/* Then their states, still closed and past retention once locked; each goes with its record and rows. */
	private static final String PURGE = """
			WITH purged AS (
			    DELETE FROM dead_letter_state s WHERE s.id IN (
			        SELECT id FROM dead_letter_state
			        WHERE id = ANY(?::uuid[]) AND status IN ('RESOLVED', 'DISCARDED')
			          AND updated_at < now() - make_interval(days => ?)
			        ORDER BY id FOR UPDATE SKIP LOCKED)
			      AND s.status IN ('RESOLVED', 'DISCARDED')
			    RETURNING s.id, s.status),
			record AS (
			    DELETE FROM dead_letter_record r USING purged p WHERE r.id = p.id),
			history AS (
			    DELETE FROM dead_letter_attempt a USING purged p WHERE a.entry_id = p.id),
			redrives AS (
			    DELETE FROM dead_letter_redrive r USING purged p WHERE r.entry_id = p.id),
			changes AS (
			    DELETE FROM dead_letter_status_change c USING purged p WHERE c.entry_id = p.id)
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
			int days = this.properties.resolvedDays();
			var candidates = new int[1];
			var statuses = this.transactions.execute((tx) -> {
				String[] ids = this.jdbc.queryForList(LOCK_RECORDS, String.class, days, batch).toArray(String[]::new);
				candidates[0] = ids.length;
				return (ids.length == 0) ? List.<String>of()
						: this.jdbc.queryForList(PURGE, String.class, (Object) ids, days);
			});
			if (statuses == null || statuses.isEmpty()) {
				break;
			}
			statuses.forEach((status) -> deleted.merge(status, 1, Integer::sum));
			if (candidates[0] < batch) {
				break;
			}
		}
		Integer traces = this.transactions.execute((tx) -> StackTraces.purgeUnused(this.jdbc));
		int alerts = this.jdbc.update("DELETE FROM ops_alert WHERE created_at < now() - make_interval(days => ?)",
				this.properties.resolvedDays());
		log.info("DLQ retention ({} days): deleted entries {}, {} stack traces no entry holds, {} old alert records",
				this.properties.resolvedDays(), deleted, traces, alerts);
		return deleted;
	}

}
