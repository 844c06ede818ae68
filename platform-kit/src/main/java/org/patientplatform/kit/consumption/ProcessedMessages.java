package org.patientplatform.kit.consumption;

import org.patientplatform.kit.events.IncomingEvent;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Makes a consumer's effect happen once per event: the processed-message row and the effect commit in
 * one transaction, so a record delivered again (after a crash between the database commit and the
 * offset commit, or a rebalance) finds its row and changes nothing.
 * <p>
 * An event is known by its source and its id together, as CloudEvents defines it: two producers may
 * each send an event with the same id, and neither is a duplicate of the other.
 */
public class ProcessedMessages {

	/** The source of rows written before sources were kept (platform-kit V2). */
	private static final String UNKNOWN_SOURCE = "";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	public ProcessedMessages(JdbcTemplate jdbc, TransactionTemplate transactions) {
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	/**
	 * Claims the event for the group inside the current transaction.
	 * @return true the first time, false when the event was processed already
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public boolean markProcessed(String consumerGroup, IncomingEvent<?> event) {
		return markProcessed(consumerGroup, event.source(), event.id());
	}

	/**
	 * Claims a message for the group inside the current transaction.
	 * @param source who made the message, which makes {@code messageId} unique (a CloudEvent's
	 * {@code source}; an HL7 message's sending application and facility)
	 * @return true the first time, false when the message was processed already
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public boolean markProcessed(String consumerGroup, String source, String messageId) {
		// a row from before sources were kept (source '') still marks its message processed, so a record
		// delivered again across the upgrade is not applied twice; such rows are purged with the rest
		return this.jdbc.update("""
				INSERT INTO processed_message (consumer_group, source, event_id)
				SELECT ?, ?, ?
				WHERE NOT EXISTS (SELECT 1 FROM processed_message
				                  WHERE consumer_group = ? AND source = ? AND event_id = ?)
				ON CONFLICT DO NOTHING""", consumerGroup, source, messageId, consumerGroup, UNKNOWN_SOURCE,
				messageId) == 1;
	}

	/**
	 * Runs the effect in a new transaction together with the processed-message row, unless the event was
	 * processed already.
	 * @return true when the effect ran
	 */
	public boolean processOnce(String consumerGroup, IncomingEvent<?> event, Runnable effect) {
		Boolean ran = this.transactions.execute((status) -> {
			if (!markProcessed(consumerGroup, event)) {
				return false;
			}
			effect.run();
			return true;
		});
		return Boolean.TRUE.equals(ran);
	}

}
