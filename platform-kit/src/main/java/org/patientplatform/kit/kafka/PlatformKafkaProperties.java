package org.patientplatform.kit.kafka;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The failure path's settings, the same for every listener of a service.
 *
 * @param deadLetterTopic where failed records go
 * @param retryOutcomesTopic where the outcome of a redriven record is reported
 * @param retries quick in-process retries before a record is dead-lettered
 * @param initialBackoff the first retry's delay; each next one doubles
 * @param nonRetryable exception classes (fully qualified) that skip the retries, beside the kit's own, and
 * that the DLQ never retries automatically ({@code dlq-non-retryable: true}): retrying cannot mend them
 * @param deadLetterAtOnce exception classes that skip the quick in-process retries but that the DLQ may
 * retry later on its policy ({@code dlq-non-retryable: false}): only time mends them, as for an event
 * about a record that has not arrived yet
 * @param applicationPackage the package whose stack frames make the failure fingerprint
 * @param maxStacktraceBytes the bound on the stack trace carried in the DLQ headers
 * @param publishTimeout how long the DLQ publish may take before the record is tried again
 * @param deadLetterMaxBytes the largest record the failure path sends to the DLQ topic (the producer's
 * {@code max.request.size}), and the topic's {@code max.message.bytes} where a service creates it: larger than
 * any input topic's limit (the broker's 1 MiB by default), so a record its topic took, with the error headers
 * added, still fits
 */
@ConfigurationProperties("platform.kafka.failure")
public record PlatformKafkaProperties(@DefaultValue("dlq.messages.v1") String deadLetterTopic,
		@DefaultValue("dlq.retry-outcomes.v1") String retryOutcomesTopic, @DefaultValue("3") int retries,
		@DefaultValue("200ms") Duration initialBackoff, @DefaultValue List<String> nonRetryable,
		@DefaultValue List<String> deadLetterAtOnce,
		@DefaultValue("org.patientplatform") String applicationPackage,
		@DefaultValue("8192") int maxStacktraceBytes, @DefaultValue("10s") Duration publishTimeout,
		@DefaultValue("8MB") DataSize deadLetterMaxBytes) {
}
