package org.patientplatform.notification.requests;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The request consumer's settings.
 *
 * @param consumerGroup {@code <service>.consumer-notification}
 * @param concurrency consumer threads per instance (the topic has 6 partitions)
 */
@ConfigurationProperties("notification.requests")
record RequestsProperties(String consumerGroup, int concurrency) {
}
