package org.patientplatform.kit.kafka;

/**
 * Header names of a failed record on {@code dlq.messages.v1}. The coordinates and the exception use
 * Spring Kafka's {@code DeadLetterPublishingRecoverer} names, so any Spring Kafka application can
 * dead-letter into the DLQ service by pointing its recoverer at the topic; the {@code dlq-*} headers are
 * the platform's own. The record's value and key are the original bytes, unchanged.
 */
public final class DeadLetterHeaders {

	public static final String ORIGINAL_TOPIC = "kafka_dlt-original-topic";

	public static final String ORIGINAL_PARTITION = "kafka_dlt-original-partition";

	public static final String ORIGINAL_OFFSET = "kafka_dlt-original-offset";

	public static final String ORIGINAL_TIMESTAMP = "kafka_dlt-original-timestamp";

	public static final String ORIGINAL_TIMESTAMP_TYPE = "kafka_dlt-original-timestamp-type";

	public static final String ORIGINAL_CONSUMER_GROUP = "kafka_dlt-original-consumer-group";

	public static final String EXCEPTION_FQCN = "kafka_dlt-exception-fqcn";

	public static final String EXCEPTION_CAUSE_FQCN = "kafka_dlt-exception-cause-fqcn";

	public static final String EXCEPTION_MESSAGE = "kafka_dlt-exception-message";

	public static final String EXCEPTION_STACKTRACE = "kafka_dlt-exception-stacktrace";

	public static final String SOURCE_SERVICE = "dlq-source-service";

	public static final String SOURCE_ROLE = "dlq-source-role";

	public static final String FINGERPRINT = "dlq-fingerprint";

	public static final String ATTEMPT = "dlq-attempt";

	public static final String NON_RETRYABLE = "dlq-non-retryable";

	/**
	 * Carried by a dead letter sent without its value because the record with it was refused as too large (the
	 * producer's {@code max.request.size} or the DLQ topic's {@code max.message.bytes}): the original value's size
	 * in bytes, as decimal text. Such a dead letter has no value (null, not a tombstone of the original) and is
	 * marked {@link #NON_RETRYABLE}: the value is read at the record's original coordinates, and the DLQ never
	 * redrives the entry as it is (only an operator's edited payload).
	 */
	public static final String VALUE_OMITTED = "dlq-value-omitted";

	/** Carried by a record the DLQ service redrove; the origin reports the outcome against it. */
	public static final String ENTRY_ID = "dlq-entry-id";

	/** The prefixes of every header this contract owns; a new failure replaces them all. */
	public static final String[] OWNED_PREFIXES = { "kafka_dlt-", "dlq-" };

	private DeadLetterHeaders() {
	}

	/** True for a header the failure path writes (and replaces on each new failure). */
	public static boolean isOwned(String headerName) {
		for (String prefix : OWNED_PREFIXES) {
			if (headerName.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

}
