package org.patientplatform.dlq.capture;

import java.util.List;
import java.util.UUID;

import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * What a redrive sends for an entry, decrypted: the original key and own headers, and the payload to
 * send (an operator's edited version when there is one, else the original bytes). Never log it.
 *
 * @param entryId the entry
 * @param kind {@code FAILED_RECORD} or {@code RAW}
 * @param status the entry's status when loaded
 * @param originalTopic where the record came from; null for some raw entries
 * @param originalPartition its partition there; null for some raw entries
 * @param key the original key bytes
 * @param value the payload to send; null for a record that had no value (a tombstone), sent as none, and
 * for a payload that cannot be decrypted
 * @param edited true when {@code value} is the edited version
 * @param headers the original record's own headers (no {@code kafka_dlt-*} or {@code dlq-*} ones)
 * @param attempts failures so far; a redrive carries it as {@code dlq-attempt}
 * @param unreadable why the payload cannot be decrypted ({@link UnreadablePayloadException}); null when it
 * can: such an entry is not sent
 * @param valueOmitted why the entry is not sent as it is: the failure path dead-lettered it without its value,
 * too large for the DLQ ({@link #isValueOmitted}); null for any other, and once an operator edited the payload.
 * Its {@code value} is null, and sending that would be a tombstone (on a compacted topic, the key's deletion)
 */
public record StoredMessage(UUID entryId, String kind, String status, @Nullable String originalTopic,
		@Nullable Integer originalPartition, byte @Nullable [] key, byte @Nullable [] value, boolean edited, List<Header> headers, int attempts,
		@Nullable String unreadable, @Nullable String valueOmitted) {

	/** How the reason an entry whose value was omitted is not sent begins. */
	private static final String VALUE_OMITTED = "its value (";

	public StoredMessage {
		headers = List.copyOf(headers);
	}

	/**
	 * Why an entry whose value the failure path left out is not sent: its size and where an operator reads it.
	 */
	static String valueOmitted(int size, @Nullable String topic, @Nullable Integer partition, @Nullable Long offset) {
		return VALUE_OMITTED + size + " bytes) was too large to dead-letter; read it at " + topic + "-" + partition + "@"
				+ offset + " and use edit-and-redrive";
	}

	/** True for a redrive's reason that says the entry's value was omitted ({@link #valueOmitted}). */
	public static boolean isValueOmitted(String reason) {
		return reason.startsWith(VALUE_OMITTED);
	}

	@Override
	public String toString() {
		// records print every component by default: keep key and payload out of any log line
		return "StoredMessage[entryId=" + this.entryId + ", kind=" + this.kind + ", status=" + this.status + "]";
	}

}
