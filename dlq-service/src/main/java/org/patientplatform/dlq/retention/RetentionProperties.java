package org.patientplatform.dlq.retention;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Retention settings.
 *
 * @param resolvedDays resolved and discarded entries are purged this many days after their last change
 * @param cron when the purge runs (six fields, UTC)
 * @param batchSize entries deleted per transaction
 */
@ConfigurationProperties("dlq.retention")
record RetentionProperties(@DefaultValue("30") int resolvedDays, @DefaultValue("0 30 3 * * *") String cron,
		@DefaultValue("5000") int batchSize) {

}
