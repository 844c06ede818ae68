package org.patientplatform.dlq.capture;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A poll batch of dead letters was stored. Published synchronously inside the capture transaction, so
 * what a listener changes commits (or rolls back) with the batch.
 *
 * @param failedOriginals entries whose original record failed: new entries and entries whose original
 * record was dead-lettered again; they are {@code NEW} (or stay {@code DISCARDED})
 * @param failedRedrives failures of records the DLQ had sent back (they carried {@code dlq-entry-id})
 */
public record DeadLettersCaptured(List<UUID> failedOriginals, List<RedriveFailure> failedRedrives) {

	public DeadLettersCaptured {
		failedOriginals = List.copyOf(failedOriginals);
		failedRedrives = List.copyOf(failedRedrives);
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
