package org.patientplatform.dlq.capture;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.RowMapper;

/**
 * A stored dead-letter entry as operators see it: coordinates, error and retry state, never the payload
 * (which needs an audited reveal).
 *
 * @param keyText the record key as UTF-8 text, when it is text
 * @param keyBase64 the record key's bytes, base64
 * @param headers the original record's own headers, in order
 * @param payloadSize the value's size in bytes (0 also for no value); for a value omitted, the size it had
 * @param tombstone true when the record had no value (a compacted topic's deletion), as opposed to an empty one:
 * a reveal answers {@code original: null} and a redrive sends no value
 * @param valueOmitted true when the failure path dead-lettered the record without its value, which was too large
 * for the DLQ ({@code payloadSize} bytes): no payload is stored, the value is read at the original coordinates, and
 * the entry is sent only with an operator's edited payload (a redrive of it as it is answers 409)
 * @param attempts failures of the record so far (the original one and each failed redrive)
 * @param retryCount automatic redrives so far
 * @param edited true when an operator stored an edited payload beside the original
 */
public record DeadLetterEntry(UUID id, String kind, String status, @Nullable String sourceService,
		@Nullable String sourceRole, @Nullable String consumerGroup, @Nullable String originalTopic,
		@Nullable Integer originalPartition, @Nullable Long originalOffset, @Nullable Instant originalTimestamp,
		@Nullable String keyText, @Nullable String keyBase64, List<HeaderView> headers, int payloadSize,
		boolean tombstone, boolean valueOmitted, @Nullable String errorClass, @Nullable String errorCauseClass,
		@Nullable String errorMessage,
		@Nullable String errorStacktrace, @Nullable String fingerprint, boolean nonRetryable, int attempts,
		int retryCount, @Nullable String rawReason, Instant firstFailedAt, Instant lastFailedAt,
		@Nullable Instant nextAttemptAt, @Nullable Instant redrivenAt, @Nullable Instant resolvedAt,
		@Nullable String statusReason, @Nullable Instant statusChangedAt, @Nullable String statusChangedBy,
		boolean edited, @Nullable Integer editedPayloadSize, @Nullable Instant editedAt, @Nullable String editedBy) {

	/** Every status an entry can have (the state table's check constraint). */
	public static final List<String> STATUSES = List.of("NEW", "RETRY_SCHEDULED", "RETRYING", "RESOLVED",
			"PERMANENTLY_FAILED", "DISCARDED");

	/**
	 * The consumer group as shown: none for a record that named none, which is stored as {@code ""} (the original
	 * record's unique coordinates hold no null, so two failures of it without a group would be two entries).
	 */
	public static @Nullable String consumerGroup(@Nullable String stored) {
		return (stored == null || stored.isEmpty()) ? null : stored;
	}

	static final RowMapper<DeadLetterEntry> ROW_MAPPER = (rs, rowNum) -> {
		byte[] key = rs.getBytes("record_key");
		Integer editedSize = (Integer) rs.getObject("edited_payload_size");
		return new DeadLetterEntry(rs.getObject("id", UUID.class), rs.getString("kind"), rs.getString("status"),
				rs.getString("source_service"), rs.getString("source_role"), consumerGroup(rs.getString("consumer_group")),
				rs.getString("original_topic"), (Integer) rs.getObject("original_partition"),
				(Long) rs.getObject("original_offset"), instant(rs.getTimestamp("original_timestamp")),
				Utf8Text.strict(key),
				(key != null) ? Base64.getEncoder().encodeToString(key) : null, HeaderView.parse(rs.getString("headers")),
				rs.getInt("payload_size"), rs.getBoolean("tombstone"), rs.getBoolean("value_omitted"),
				rs.getString("error_class"),
				rs.getString("error_cause_class"),
				rs.getString("error_message"), rs.getString("error_stacktrace"), rs.getString("fingerprint"),
				rs.getBoolean("non_retryable"), rs.getInt("attempts"), rs.getInt("retry_count"),
				rs.getString("raw_reason"), rs.getTimestamp("first_failed_at").toInstant(),
				rs.getTimestamp("last_failed_at").toInstant(), instant(rs.getTimestamp("next_attempt_at")),
				instant(rs.getTimestamp("redriven_at")), instant(rs.getTimestamp("resolved_at")),
				rs.getString("status_reason"), instant(rs.getTimestamp("status_changed_at")),
				rs.getString("status_changed_by"), editedSize != null, editedSize,
				instant(rs.getTimestamp("edited_at")), rs.getString("edited_by"));
	};

	/**
	 * One header of the original record.
	 *
	 * @param key its name
	 * @param valueBase64 its value's bytes, base64
	 * @param valueText its value as text when it is valid UTF-8 (as {@code keyText} is the key's), else null
	 */
	public record HeaderView(String key, @Nullable String valueBase64, @Nullable String valueText) {

		/** The headers as the entry stores them. */
		static List<HeaderView> parse(@Nullable String stored) {
			return StoredHeader.read(stored).stream().map(HeaderView::of).toList();
		}

		private static HeaderView of(StoredHeader header) {
			String text = null;
			try {
				text = Utf8Text.strict(header.bytes());
			}
			catch (IllegalArgumentException ex) {
				// not base64: stored by hand; the value stays as it is
			}
			return new HeaderView(String.valueOf(header.key()), header.base64(), text);
		}

	}

	private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

}
