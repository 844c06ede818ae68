package org.patientplatform.dlq.retry;

import java.util.List;
import java.util.UUID;

/**
 * Entries became {@code PERMANENTLY_FAILED} (no automatic redrive left). Published synchronously inside
 * the transaction that changed them, so what a listener writes commits (or rolls back) with the change.
 *
 * @param entryIds the entries
 */
public record EntriesPermanentlyFailed(List<UUID> entryIds) {

	public EntriesPermanentlyFailed {
		entryIds = List.copyOf(entryIds);
	}

}
