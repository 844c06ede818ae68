package org.patientplatform.kit.kafka;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Event {@code dlq.RedriveOutcome.v1} on {@code dlq.retry-outcomes.v1}, keyed by the DLQ entry id: what
 * became of a record the DLQ service redrove. The JSON example is {@code docs/events/dlq.RedriveOutcome.v1.json}.
 *
 * @param entryId the DLQ entry, from the record's {@code dlq-entry-id} header
 * @param outcome {@code SUCCEEDED} or {@code FAILED}
 * @param service the service whose listener processed the record
 * @param consumerGroup its consumer group
 * @param topic the topic the redriven record was read from
 * @param partition its partition
 * @param offset its offset
 * @param occurredAt when the outcome was known
 * @param errorClass for a failure, the root cause's class
 * @param errorMessage for a failure, the root cause's message
 */
public record RedriveOutcome(String entryId, String outcome, String service, String consumerGroup, String topic,
		int partition, long offset, Instant occurredAt, @Nullable String errorClass, @Nullable String errorMessage) {

	public static final String TYPE = "dlq.RedriveOutcome.v1";

	public static final String SUCCEEDED = "SUCCEEDED";

	public static final String FAILED = "FAILED";

}
