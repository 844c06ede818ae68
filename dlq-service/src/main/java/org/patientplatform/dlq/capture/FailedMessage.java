package org.patientplatform.dlq.capture;

import java.time.Instant;
import java.util.Base64;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.kit.web.ReportedOn;

/**
 * A failed message a service reports over HTTP (as the seed's API takes them); it is published to
 * {@code dlq.messages.v1} in the same format the platform's failure path writes.
 *
 * @param topic the original topic
 * @param partition the original partition
 * @param offset the original offset
 * @param timestamp the original record's timestamp
 * @param key the original key as text
 * @param keyBase64 the original key's bytes, base64 (instead of {@code key})
 * @param headers the original record's own headers
 * @param payload the original value as text
 * @param payloadBase64 the original value's bytes, base64 (instead of {@code payload})
 * @param errorClass the exception's class
 * @param errorCauseClass the root cause's class
 * @param errorMessage the exception's message
 * @param errorStacktrace the stack trace
 * @param consumerGroup the consumer group that failed
 * @param sourceService the failing service
 * @param sourceRole the failing role
 * @param fingerprint the failure's fingerprint; derived from the classes when absent
 * @param nonRetryable true when a retry can never succeed
 */
@Schema(description = "A failed record. Give exactly one of payload (text) and payloadBase64 (bytes), and at most "
		+ "one of key and keyBase64. A record without a value (a tombstone) can only be reported on "
		+ "dlq.messages.v1 itself.")
record FailedMessage(
		@NotBlank @Pattern(regexp = TopicNames.PATTERN, message = TopicNames.RULE) @NotOwnTopic String topic,
		@NotNull @Min(0) Integer partition, @NotNull @Min(0) Long offset, @Nullable Instant timestamp,
		@Nullable @Size(max = FieldLimits.TEXT) String key,
		@Nullable @Size(max = 21848) String keyBase64, @Nullable @Size(max = 100) List<@NotNull @Valid Header> headers,
		@Nullable String payload, @Nullable String payloadBase64,
		@NotBlank @Size(max = FieldLimits.NAME)
			@Pattern(regexp = FieldLimits.NAME_TEXT, message = FieldLimits.NAME_RULE) String errorClass,
		@Nullable @Size(max = FieldLimits.NAME)
			@Pattern(regexp = FieldLimits.NAME_TEXT, message = FieldLimits.NAME_RULE) String errorCauseClass,
		@Nullable @Size(max = FieldLimits.TEXT) String errorMessage,
		@Nullable @Size(max = FieldLimits.TEXT) String errorStacktrace,
		@NotBlank @Size(max = FieldLimits.NAME)
			@Pattern(regexp = FieldLimits.NAME_TEXT, message = FieldLimits.NAME_RULE) String consumerGroup,
		@NotBlank @Size(max = FieldLimits.NAME)
			@Pattern(regexp = FieldLimits.NAME_TEXT, message = FieldLimits.NAME_RULE) String sourceService,
		@Nullable @Size(max = FieldLimits.NAME)
			@Pattern(regexp = FieldLimits.NAME_TEXT, message = FieldLimits.NAME_RULE) String sourceRole,
		@Nullable @Size(max = FieldLimits.NAME)
			@Pattern(regexp = FieldLimits.NAME_TEXT, message = FieldLimits.NAME_RULE) String fingerprint,
		@Nullable Boolean nonRetryable) {

	/**
	 * @param key the header name; the {@code kafka_dlt-} and {@code dlq-} prefixes are the DLQ's own
	 * @param value the value as text
	 * @param valueBase64 the value's bytes, base64 (instead of {@code value})
	 */
	record Header(@NotBlank @Size(max = FieldLimits.NAME) String key, @Nullable String value,
			@Nullable String valueBase64) {

		@ReportedOn("key")
		@AssertTrue(message = "must not use the kafka_dlt- or dlq- prefix")
		@Schema(hidden = true)
		boolean isOwnName() {
			return this.key == null || !DeadLetterHeaders.isOwned(this.key);
		}

		@ReportedOn("value")
		@AssertTrue(message = "give at most one of value and valueBase64")
		@Schema(hidden = true)
		boolean isValueSingle() {
			return !(this.value != null && this.valueBase64 != null);
		}

		@ReportedOn("valueBase64")
		@AssertTrue(message = BASE64)
		@Schema(hidden = true)
		boolean isValueBase64Valid() {
			return isBase64(this.valueBase64);
		}

		byte @Nullable [] bytes() {
			if (this.valueBase64 != null) {
				return Base64.getDecoder().decode(this.valueBase64);
			}
			return (this.value != null) ? this.value.getBytes(java.nio.charset.StandardCharsets.UTF_8) : null;
		}

	}

	/** What a base64 field that does not decode is told (its own field, not the text one beside it). */
	static final String BASE64 = "must be base64 (the standard alphabet: A-Z, a-z, 0-9, + and /)";

	@ReportedOn("payload")
	@AssertTrue(message = "give exactly one of payload and payloadBase64")
	@Schema(hidden = true)
	boolean isPayloadSingle() {
		return (this.payload == null) != (this.payloadBase64 == null);
	}

	@ReportedOn("payloadBase64")
	@AssertTrue(message = BASE64)
	@Schema(hidden = true)
	boolean isPayloadBase64Valid() {
		return isBase64(this.payloadBase64);
	}

	@ReportedOn("key")
	@AssertTrue(message = "give at most one of key and keyBase64")
	@Schema(hidden = true)
	boolean isKeySingle() {
		return !(this.key != null && this.keyBase64 != null);
	}

	@ReportedOn("keyBase64")
	@AssertTrue(message = BASE64)
	@Schema(hidden = true)
	boolean isKeyBase64Valid() {
		return isBase64(this.keyBase64);
	}

	byte[] payloadBytes() {
		return (this.payloadBase64 != null) ? Base64.getDecoder().decode(this.payloadBase64)
				: String.valueOf(this.payload).getBytes(java.nio.charset.StandardCharsets.UTF_8);
	}

	byte @Nullable [] keyBytes() {
		if (this.keyBase64 != null) {
			return Base64.getDecoder().decode(this.keyBase64);
		}
		return (this.key != null) ? this.key.getBytes(java.nio.charset.StandardCharsets.UTF_8) : null;
	}

	private static boolean isBase64(@Nullable String value) {
		if (value == null) {
			return true;
		}
		try {
			Base64.getDecoder().decode(value);
			return true;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

}
