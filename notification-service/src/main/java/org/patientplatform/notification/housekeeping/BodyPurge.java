package org.patientplatform.notification.housekeeping;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Purges message bodies older than {@code body-retention}, a chunk of notifications per
 * transaction: the parameters and each delivery's rendered recipient, subject and text.
 * Ids, types, states, timestamps, attempts and reasons stay, so reports and the API still
 * show what happened. A notice that may still be sent (waiting for its contact, or with a
 * delivery pending, scheduled or sending) keeps its body. The rows are locked as every
 * writer of deliveries locks them, so a sender never writes a purged body back. Batches
 * finished and reminder rules deleted before the cutoff lose their parameters too, and a cancellation whose
 * request never came is forgotten.
 */
@Service
class BodyPurge {

	private static final Logger log = LoggerFactory.getLogger(BodyPurge.class);

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final HousekeepingProperties properties;

	BodyPurge(JdbcTemplate jdbc, TransactionTemplate transactions, HousekeepingProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.properties = properties;
	}

	/**
	 * Purges the bodies of the notifications created before {@code now} minus the
	 * retention.
	 * @return how many notifications were purged
	 */
	int purge(Instant now) {
		OffsetDateTime cutoff = now.minus(this.properties.bodyRetention()).atOffset(ZoneOffset.UTC);
		OffsetDateTime purgedAt = now.atOffset(ZoneOffset.UTC);
		int purged = 0;
		while (true) {
			Integer chunk = this.transactions.execute((status) -> {
				List<UUID> ids = this.jdbc.queryForList("""
						SELECT n.id FROM notification n
						WHERE n.body_purged_at IS NULL AND n.created_at < ? AND NOT n.waiting_for_contact
						  AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.notification_id = n.id
						                  AND d.state IN ('PENDING', 'SCHEDULED', 'SENDING'))
						ORDER BY n.created_at LIMIT ? FOR UPDATE OF n SKIP LOCKED
						""", UUID.class, cutoff, this.properties.chunkSize());
				if (ids.isEmpty()) {
					return 0;
				}
				UUID[] array = ids.toArray(UUID[]::new);
				this.jdbc.update("UPDATE notification SET parameters = '{}'::jsonb, body_purged_at = ? WHERE id = ANY(?)",
						purgedAt, array);
				this.jdbc.update("""
						UPDATE delivery SET recipient = NULL, subject = NULL, body = NULL
						WHERE notification_id = ANY(?) AND (recipient IS NOT NULL OR subject IS NOT NULL OR body IS NOT NULL)
						""", (Object) array);
				return ids.size();
			});
			if (chunk == null || chunk == 0) {
				break;
			}
			purged += chunk;
			if (chunk < this.properties.chunkSize()) {
				break;
			}
		}
		int batches = this.jdbc.update("""
				UPDATE notification_batch SET parameters = '{}'::jsonb
				WHERE finished_at < ? AND parameters <> '{}'::jsonb
				""", cutoff);
		int rules = this.jdbc.update("""
				UPDATE reminder_rule SET parameters = '{}'::jsonb
				WHERE NOT active AND updated_at < ? AND parameters <> '{}'::jsonb
				""", cutoff);
		// a cancellation whose request never came within the retention is not waited for any longer
		int cancellations = this.jdbc.update("DELETE FROM cancelled_request WHERE cancelled_at < ?", cutoff);
		log.info("Purged the message bodies of {} notifications, {} batches and {} deleted reminder rules, and {} "
				+ "cancellations whose request never came", purged, batches, rules, cancellations);
		return purged;
	}

}
