package org.patientplatform.dlq.retry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.patientplatform.dlq.capture.StoredMessage;
import org.patientplatform.dlq.redrive.Redriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Redrives the entries whose retry is due. Each batch is claimed with {@code FOR UPDATE SKIP LOCKED},
 * sent, and moved to {@code RETRYING} in one transaction, so any number of instances running this at
 * once send each due entry once per attempt: an entry another instance has claimed is skipped, and once
 * that claim commits the entry is no longer due. An entry the broker did not take stays
 * {@code RETRY_SCHEDULED}, a little later; one whose record it refuses for what it is (a topic name Kafka
 * does not allow, a record too large) is {@code PERMANENTLY_FAILED}, with the alert.
 */
@Component
class DueRetries {

	private static final Logger log = LoggerFactory.getLogger(DueRetries.class);

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final Redriver redriver;

	private final RetryProperties properties;

	private final RetrySchedule schedule;

	DueRetries(JdbcTemplate jdbc, TransactionTemplate transactions, Redriver redriver, RetryProperties properties,
			RetrySchedule schedule) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.redriver = redriver;
		this.properties = properties;
		this.schedule = schedule;
	}

	/** @return the entries sent */
	int redriveDue() {
		int sent = 0;
		for (int batch = 0; batch < this.properties.maxBatchesPerRun(); batch++) {
			Claimed claimed = this.transactions.execute((status) -> redriveBatch());
			if (claimed == null) {
				break;
			}
			sent += claimed.sent();
			if (claimed.claimed() < this.properties.batchSize()) {
				break;
			}
		}
		if (sent > 0) {
			log.info("Redrove {} due entries", sent);
		}
		return sent;
	}

	private Claimed redriveBatch() {
		List<UUID> due = this.jdbc.queryForList("""
				SELECT id FROM dead_letter_state
				WHERE status = 'RETRY_SCHEDULED' AND next_attempt_at <= now()
				ORDER BY next_attempt_at LIMIT ?
				FOR UPDATE SKIP LOCKED
				""", UUID.class, this.properties.batchSize());
		if (due.isEmpty()) {
			return new Claimed(0, 0);
		}
		Redriver.Result result = this.redriver.redriveLocked(due, Redriver.Request.automatic());
		Map<UUID, String> refused = new LinkedHashMap<>();
		result.refused().forEach((id) -> refused.put(id, result.failed().get(id)));
		// a record the broker refuses for what it is would be refused on every retry
		this.schedule.refused(refused);
		// an entry whose value the failure path left out (too large to dead-letter) is not retried automatically
		// (its failure said so); should one be due all the same, it is an operator's, who reads the value
		Map<UUID, String> omitted = new LinkedHashMap<>();
		result.failed().forEach((id, why) -> {
			if (StoredMessage.isValueOmitted(why)) {
				omitted.put(id, why);
			}
		});
		if (!omitted.isEmpty()) {
			this.jdbc.update("""
					UPDATE dead_letter_state s SET status = 'NEW', next_attempt_at = NULL,
					    status_reason = 'not retried automatically: ' || f.why, status_changed_at = now(),
					    status_changed_by = 'system', updated_at = now()
					FROM unnest(?::uuid[], ?::text[]) AS f(id, why)
					WHERE s.id = f.id AND s.status = 'RETRY_SCHEDULED'
					""", omitted.keySet().stream().map(UUID::toString).toArray(String[]::new),
					omitted.values().toArray(String[]::new));
		}
		if (result.failed().size() > refused.size() + omitted.size()) {
			// each keeps its reason: a broker that did not take the record, or a payload that cannot be
			// decrypted (until its key is configured again); tried again later, the rest of the batch is sent
			List<Map.Entry<UUID, String>> failed = result.failed()
				.entrySet()
				.stream()
				.filter((f) -> !refused.containsKey(f.getKey()) && !omitted.containsKey(f.getKey()))
				.toList();
			this.jdbc.update("""
					UPDATE dead_letter_state s SET next_attempt_at = now() + make_interval(secs => ?),
					    status_reason = 'the redrive could not be sent (' || f.why || '); trying again',
					    updated_at = now()
					FROM unnest(?::uuid[], ?::text[]) AS f(id, why)
					WHERE s.id = f.id AND s.status = 'RETRY_SCHEDULED'
					""", (double) this.properties.sendFailureDelay().toSeconds(),
					failed.stream().map((f) -> f.getKey().toString()).toArray(String[]::new),
					failed.stream().map(Map.Entry::getValue).toArray(String[]::new));
		}
		return new Claimed(due.size(), result.sent().size());
	}

	private record Claimed(int claimed, int sent) {
	}

}
