package org.patientplatform.kit.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param retention how long processed-message rows, finished jobs and cron occurrences are kept; longer
 * than any redelivery can arrive
 */
@ConfigurationProperties("platform.housekeeping")
record HousekeepingProperties(@DefaultValue("30d") Duration retention) {
}
