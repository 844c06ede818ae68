package org.patientplatform.dlq.redrive;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.capture.DeadLetterPayloads;
import org.patientplatform.dlq.capture.StoredMessage;
import org.patientplatform.dlq.capture.UnreadablePayloadException;
import org.patientplatform.kit.web.ConflictException;
import org.patientplatform.kit.web.NotFoundException;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * An operator's actions on one entry. Each locks the entry first, so it never races an automatic retry
 * or a bulk redrive of the same entry: whoever locks second sees the new status.
 */
@Component
class OperatorRedrives {

	private final JdbcTemplate jdbc;

	private final Redriver redriver;

	private final DeadLetterPayloads payloads;

	private final OutcomeTimeout outcomeTimeout;

	OperatorRedrives(JdbcTemplate jdbc, Redriver redriver, DeadLetterPayloads payloads, OutcomeTimeout outcomeTimeout) {
		this.jdbc = jdbc;
		this.redriver = redriver;
		this.payloads = payloads;
		this.outcomeTimeout = outcomeTimeout;
	}

	@Transactional
	Redriver.Sent redrive(UUID id, @Nullable String targetTopic, String reason, String actor) {
		lockRedrivable(id);
		return send(id, new Redriver.Request(Redriver.Kind.MANUAL, targetTopic, actor, reason, null));
	}

	/** Stores the edited payload beside the original and sends it; a failed send keeps neither. */
	@Transactional
	Redriver.Sent editAndRedrive(UUID id, byte[] payload, @Nullable String targetTopic, String reason, String actor) {
		lockRedrivable(id);
		this.payloads.storeEdited(id, payload, actor);
		return send(id, new Redriver.Request(Redriver.Kind.EDITED, targetTopic, actor, reason, null));
	}

	@Transactional
	void discard(UUID id, String reason, String actor) {
		String status = lock(id);
		if ("DISCARDED".equals(status)) {
			throw new ConflictException("Entry " + id + " is discarded already");
		}
		this.jdbc.update("""
				UPDATE dead_letter_state SET status = 'DISCARDED', next_attempt_at = NULL, redrive_id = NULL,
				    status_reason = ?, status_changed_at = now(), status_changed_by = ?, updated_at = now()
				WHERE id = ?
				""", "discarded: " + reason, actor, id);
	}

	private Redriver.Sent send(UUID id, Redriver.Request request) {
		Redriver.Result result = this.redriver.redriveLocked(List.of(id), request);
		if (!result.sent().isEmpty()) {
			return result.sent().getFirst();
		}
		String why = result.failed().getOrDefault(id, "unknown");
		if (Redriver.NO_TOPIC.equals(why)) {
			throw new ConflictException("Entry " + id + " has no original topic; give targetTopic");
		}
		if (UnreadablePayloadException.isReason(why)) {
			throw new UnreadableRedrive("Entry " + id + " is not redriven: " + why);
		}
		if (StoredMessage.isValueOmitted(why) || Redriver.OWN_TOPIC.equals(why)) {
			// refused by the DLQ from what it holds (audited REJECTED): a value left out would be sent as a tombstone
			throw new ConflictException("Entry " + id + " is not redriven: " + why);
		}
		// the broker's answers from here on: audited FAILED, not REJECTED (ADR 0015, amended)
		if (Redriver.isNoSuchTopic(why)) {
			throw new BrokerRefusal(HttpStatus.CONFLICT, "Entry " + id + " is not redriven: " + why
					+ ". Create the topic, or redrive the entry to another with targetTopic.");
		}
		if (result.refused().contains(id)) {
			// a topic name Kafka does not allow, a record too large: sent again, the same refusal
			throw new BrokerRefusal(HttpStatus.CONFLICT, "Kafka refuses the redriven record (" + why + "), and would "
					+ "refuse it again; the entry is unchanged. Redrive it to another topic with targetTopic, or discard it.");
		}
		throw new BrokerRefusal(HttpStatus.SERVICE_UNAVAILABLE,
				"The broker did not take the redriven record (" + why + "); the entry is unchanged, try again.");
	}

	private void lockRedrivable(UUID id) {
		String status = lock(id);
		if ("DISCARDED".equals(status)) {
			throw new ConflictException("Entry " + id + " is discarded; it is not redriven");
		}
		if ("RETRYING".equals(status) && !settleWaitingRedrive(id)) {
			long seconds = secondsInFlight(id);
			throw new RedriveInFlight("A redrive of entry " + id + " is in flight; wait for its outcome. It may come at "
					+ "any moment, and the redrive is settled at the latest " + seconds + " s from now, when "
					+ "dlq.retry.outcome-timeout (" + this.outcomeTimeout.outcomeTimeout() + ") has passed since it was "
					+ "sent: try again after the Retry-After seconds.", seconds);
		}
	}

	/**
	 * The seconds until the entry's redrive in flight is past the outcome timeout, at least 1: the 409 holds no longer
	 * than that (the retry task then settles it within its next run, or it waits for its consumer group, which a
	 * redrive then settles at once), and no shorter time is known, as the outcome comes when the origin reports it.
	 * The producer's delivery timeout is no measure of it: the redrive has been sent, its answer already awaited.
	 */
	private long secondsInFlight(UUID id) {
		long timeout = Math.max(1, this.outcomeTimeout.outcomeTimeout().toSeconds());
		Long left = this.jdbc.queryForObject("""
				SELECT ceil(extract(epoch FROM redriven_at + make_interval(secs => ?) - now()))::bigint
				FROM dead_letter_state WHERE id = ?
				""", Long.class, (double) timeout, id);
		return (left != null) ? Math.max(1, Math.min(left, timeout)) : timeout;
	}

	/**
	 * A redrive that had no outcome within {@code outcome-timeout} and waits for the entry's consumer group to read
	 * it (ADR 0019: the group is down or behind) is counted as timed out, so the operator may send the entry again.
	 * Before, the entry could not be redriven for up to {@code outcome-max-wait} (24 hours) while it waited; the
	 * operator asking now knows the group may then read two copies. A redrive still within the timeout stays in
	 * flight: its outcome may come at any moment.
	 * @return true when the entry's redrive was waiting, and is settled
	 */
	private boolean settleWaitingRedrive(UUID id) {
		return this.jdbc.update("""
				UPDATE dead_letter_redrive r SET outcome = 'TIMED_OUT', outcome_at = now()
				FROM dead_letter_state e
				WHERE e.id = ? AND e.status = 'RETRYING' AND e.outcome_check_at IS NOT NULL AND r.id = e.redrive_id
				  AND r.outcome IS NULL
				""", id) > 0;
	}

	/**
	 * Locks the entry: its record, then its state (the order of every path that may change both; an edit
	 * changes the record), and returns its status.
	 */
	private String lock(UUID id) {
		this.jdbc.queryForList("SELECT id FROM dead_letter_record WHERE id = ? FOR UPDATE", UUID.class, id);
		List<String> status = this.jdbc.queryForList("SELECT status FROM dead_letter_state WHERE id = ? FOR UPDATE",
				String.class, id);
		if (status.isEmpty()) {
			throw new NotFoundException("No dead-letter entry " + id);
		}
		return status.getFirst();
	}

}
