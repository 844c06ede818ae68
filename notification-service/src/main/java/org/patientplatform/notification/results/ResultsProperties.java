package org.patientplatform.notification.results;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The test-result consumer's settings.
 *
 * @param consumerGroup {@code <service>.consumer-test-result-notification}
 * @param concurrency consumer threads per instance (the topic has 12 partitions)
 */
@ConfigurationProperties("notification.results")
record ResultsProperties(String consumerGroup, int concurrency) {
}
