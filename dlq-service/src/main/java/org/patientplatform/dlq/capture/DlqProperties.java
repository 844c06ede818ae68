package org.patientplatform.dlq.capture;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

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

	record Capture(String consumerGroup) {
	}

	/**
	 * @param activeKeyId the key that encrypts new payloads
	 * @param keys every key by id, base64 of 32 bytes (AES-256)
	 */
	record Encryption(String activeKeyId, Map<String, String> keys) {
	}

}
