package org.patientplatform.dlq.capture;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A poll batch of dead letters was stored. Published synchronously inside the capture transaction, so
 * what a listener changes commits (or rolls back) with the batch.
 *
 * @param failedOriginals entries whose original record failed: new entries and entries whose original
 * record was dead-lettered again; they are {@code NEW} (or stay {@code DISCARDED})
 * @param failedRedrives failures of records the DLQ had sent back (they carried {@code dlq-entry-id})
 * @param toSchedule the entries of {@code failedOriginals} whose status the retry feature still has to
 * set: entries whose original record failed again (stored {@code NEW}, or still {@code DISCARDED}) and new
 * entries that the {@link FirstRetryPlanner} did not plan; new entries written in their first status
 * already (scheduled, or {@code NEW} because not retryable) are not in it
 * @param fingerprints the batch's failure fingerprints (of {@code failedOriginals} and
 * {@code failedRedrives}), each with one entry that has it; empty when not known (then read them from the
 * entries)
 */
public record DeadLettersCaptured(List<UUID> failedOriginals, List<RedriveFailure> failedRedrives,
		List<UUID> toSchedule, Map<String, UUID> fingerprints) {

	public DeadLettersCaptured {
		failedOriginals = List.copyOf(failedOriginals);
		failedRedrives = List.copyOf(failedRedrives);
		toSchedule = List.copyOf(toSchedule);
		fingerprints = Map.copyOf(fingerprints);
	}

	/**
	 * A batch whose failed originals all still need their status from the retry feature, fingerprints
	 * not given.
	 */
	public DeadLettersCaptured(List<UUID> failedOriginals, List<RedriveFailure> failedRedrives) {
		this(failedOriginals, failedRedrives, failedOriginals, Map.of());
	}

	/**
	 * A redriven record failed again.
	 *
	 * @param entryId the entry it was redriven from
	 * @param topic the failed record's topic (where the DLQ sent it)
	 * @param partition its partition
	 * @param offset its offset
	 * @param errorClass the failure's exception class
	 * @param errorMessage the failure's message
	 */
	public record RedriveFailure(UUID entryId, String topic, int partition, long offset, @Nullable String errorClass,
			@Nullable String errorMessage) {
	}

}
