package org.patientplatform.kit.jobs;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param threads worker threads per queue and instance
 * @param batchSize jobs claimed per round
 * @param pollInterval the wait when a queue is empty
 * @param lease how long a claimed job belongs to its worker; after that another worker takes it
 * @param drainTimeout how long shutdown waits for running jobs
 */
@ConfigurationProperties("platform.jobs")
public record JobsProperties(@DefaultValue("2") int threads, @DefaultValue("10") int batchSize,
		@DefaultValue("500ms") Duration pollInterval, @DefaultValue("5m") Duration lease,
		@DefaultValue("20s") Duration drainTimeout) {
}
