package org.patientplatform.kit.jobs;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param threads worker threads per queue and instance
 * @param batchSize jobs claimed per round
 * @param pollInterval the wait when a queue is empty
 * @param lease how long a claimed job belongs to its worker unless renewed; a started worker renews the lease of
 * the jobs it holds every quarter lease, so a job of a worker that died is taken over after about this long
 * @param drainTimeout how long shutdown waits for running jobs
 * @param maxRunTime how long one run of a job may take: past it, its worker stops renewing its lease and interrupts
 * it, and the job is tried again with backoff (a handler hung on a call that never answers held its job, and its
 * worker thread, for good); long work runs in slices well under it (a bulk redrive's minute, a batch's two)
 */
@ConfigurationProperties("platform.jobs")
public record JobsProperties(@DefaultValue("2") int threads, @DefaultValue("10") int batchSize,
		@DefaultValue("500ms") Duration pollInterval, @DefaultValue("60s") Duration lease,
		@DefaultValue("20s") Duration drainTimeout, @DefaultValue("15m") Duration maxRunTime) {
}
