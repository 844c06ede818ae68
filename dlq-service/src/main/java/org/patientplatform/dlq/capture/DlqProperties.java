package org.patientplatform.dlq.capture;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The DLQ service's settings.
 *
 * @param topics the topics it reads and writes
 * @param capture the capture consumer
 * @param encryption the payload keys
 */
@ConfigurationProperties("dlq")
record DlqProperties(Topics topics, Capture capture, Encryption encryption) {

	record Topics(String messages, String retryOutcomes) {
	}

	/**
	 * @param consumerGroup the capture consumer's group
	 * @param maxPollRecords records per poll, so per capture transaction (the kit's default of 500 is
	 * for record listeners; larger batches amortise the per-transaction work at incident volume)
	 * @param maxPartitionFetchBytes bytes fetched per partition per request (failed records carry their
	 * stack trace, about 3.5 kB each, so the client default of 1 MiB caps a fetch at under 300 records)
	 * @param concurrency capture consumers per instance (the topic has 6 partitions); one consumer's
	 * parsing and encryption overlap another's database statement
	 * @param maxVolumeSeries the (service, topic) pairs {@code dlq_captured_total} counts on their own, per
	 * instance; later ones are counted under {@code (other)} (the labels come from any producer's headers)
	 */
	record Capture(String consumerGroup, @DefaultValue("1000") int maxPollRecords,
			@DefaultValue("4194304") int maxPartitionFetchBytes, @DefaultValue("3") int concurrency,
			@DefaultValue("500") int maxVolumeSeries) {
	}

	/**
	 * @param activeKeyId the key that encrypts new payloads
	 * @param keys every key by id, base64 of 32 bytes (AES-256)
	 */
	record Encryption(String activeKeyId, Map<String, String> keys) {
	}

}
