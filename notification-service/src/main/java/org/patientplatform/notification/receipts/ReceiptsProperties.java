package org.patientplatform.notification.receipts;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The receipts' settings.
 *
 * @param statusTopic where the webhooks relay receipts ({@code notification.status.v1})
 * @param consumerGroup {@code <service>.consumer-notification-update}
 * @param concurrency consumer threads per instance (the topic has 6 partitions)
 */
@ConfigurationProperties("notification.receipts")
record ReceiptsProperties(String statusTopic, String consumerGroup, int concurrency) {
}
