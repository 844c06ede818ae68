package org.patientplatform.kit.consumption;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Makes a consumer's effect happen once per event: the processed-message row and the effect commit in
 * one transaction, so a record delivered again (after a crash between the database commit and the
 * offset commit, or a rebalance) finds its row and changes nothing.
 */
public class ProcessedMessages {

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
	public boolean markProcessed(String consumerGroup, String eventId) {
		return this.jdbc.update("INSERT INTO processed_message (consumer_group, event_id) VALUES (?, ?) "
				+ "ON CONFLICT DO NOTHING", consumerGroup, eventId) == 1;
	}

	/**
	 * Runs the effect in a new transaction together with the processed-message row, unless the event was
	 * processed already.
	 * @return true when the effect ran
	 */
	public boolean processOnce(String consumerGroup, String eventId, Runnable effect) {
		Boolean ran = this.transactions.execute((status) -> {
			if (!markProcessed(consumerGroup, eventId)) {
				return false;
			}
			effect.run();
			return true;
		});
		return Boolean.TRUE.equals(ran);
	}

}
