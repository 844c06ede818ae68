package org.patientplatform.kit.outbox;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param relayEnabled whether this instance runs a relay (only one works at a time per database)
 * @param batchSize rows published per round
 * @param pollInterval the wait when there is nothing to publish
 * @param sendTimeout how long a batch may take to be acknowledged
 * @param retention how long published rows are kept
 */
@ConfigurationProperties("platform.outbox")
public record OutboxProperties(@DefaultValue("true") boolean relayEnabled, @DefaultValue("500") int batchSize,
		@DefaultValue("200ms") Duration pollInterval, @DefaultValue("30s") Duration sendTimeout,
		@DefaultValue("7d") Duration retention) {
}
