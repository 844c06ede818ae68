package org.patientplatform.dlq.capture;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * How a newly captured retryable entry starts, decided in the capture transaction so that a new entry is
 * written once, already in its first status, instead of being inserted and then updated. The retry
 * feature implements it with each topic's retry policy; without an implementation every new entry is
 * stored {@code NEW} and scheduled after the insert, through {@link DeadLettersCaptured#toSchedule()}.
 */
public interface FirstRetryPlanner {

	/**
	 * Plans the first automatic redrive of new retryable entries.
	 * @param topics the original topics of a batch's new retryable entries
	 * @return the plan per topic; a topic left out (its policy allows no automatic redrive) gets its
	 * entries stored {@code NEW} and listed in {@link DeadLettersCaptured#toSchedule()}
	 */
	Map<String, Plan> plan(Set<String> topics);

	/** The first automatic redrive of a topic's new entries. */
	interface Plan {

		/** The delay before the first automatic redrive of one entry; each call draws its own jitter. */
		Duration nextDelay();

		/** The entry's status reason, as the retry feature words it. */
		String reason();

	}

}
