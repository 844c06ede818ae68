package org.patientplatform.notification.batches;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Priority;

/**
 * A batch and its progress. {@code created + skipped} never exceeds {@code total}; a
 * cancelled batch stops short of it.
 *
 * @param selection who it goes to, as asked
 * @param total recipients fixed when the batch was created
 * @param created notifications created so far
 * @param skipped recipients for whom a notification with the batch's key already
 * existed
 * @param waitingForContact of those created, how many wait for the patient's contact
 * details (an id the contact projection has not seen yet)
 */
record NotificationBatch(UUID id, String type, Priority priority, Map<String, String> parameters,
		@Nullable Instant notBefore, Selection selection, BatchState state, int total, int created, int skipped,
		int waitingForContact, String createdBy, @Nullable String cancelledBy, Instant createdAt,
		@Nullable Instant startedAt, @Nullable Instant finishedAt, Instant updatedAt) {

	static List<String> sortKey(NotificationBatch batch) {
		return List.of(batch.createdAt().toString(), batch.id().toString());
	}

	/**
	 * Who a batch goes to.
	 *
	 * @param listed for a list, how many patient ids it named (duplicates included)
	 * @param language for a segment, the language filter (primary subtag), if any
	 * @param channel for a segment, the channel filter, if any
	 */
	record Selection(Kind kind, @Nullable Integer listed, @Nullable String language, @Nullable Channel channel) {

		static Selection list(int listed) {
			return new Selection(Kind.LIST, listed, null, null);
		}

		static Selection segment(@Nullable String language, @Nullable Channel channel) {
			return new Selection(Kind.SEGMENT, null, language, channel);
		}

		enum Kind {

			LIST, SEGMENT

		}

	}

}
