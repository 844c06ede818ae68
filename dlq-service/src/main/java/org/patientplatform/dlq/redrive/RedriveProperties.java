package org.patientplatform.dlq.redrive;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Redrive settings.
 *
 * @param sendTimeout how long a redrive waits for the broker's acknowledgements
 * @param defaultRatePerSecond the rate of a bulk redrive that asks for none
 * @param slice how long one run of a bulk redrive job works before it hands over to a fresh job, so the
 * queue's other jobs (report builds) get their turn
 * @param unthrottledChunk records per chunk of a bulk redrive without rate limit (a throttled one sends a
 * tenth of its rate per chunk, at most 200)
 * @param unthrottledLanes chunks of a bulk redrive without rate limit sent at once, each claimed and
 * recorded on its own, so the database work of one overlaps the sends of another
 */
@ConfigurationProperties("dlq.redrive")
record RedriveProperties(@DefaultValue("30s") Duration sendTimeout, @DefaultValue("100") int defaultRatePerSecond,
		@DefaultValue("60s") Duration slice, @DefaultValue("1000") int unthrottledChunk,
		@DefaultValue("2") int unthrottledLanes) {
}
