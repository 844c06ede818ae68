/**
 * Automatic retry: retry policies per topic, scheduling after each failure, the cron task that redrives
 * due entries, the consumer of redrive outcomes, and the timeout for redrives nobody reported on.
 */
@NullMarked
package org.patientplatform.dlq.retry;

import org.jspecify.annotations.NullMarked;
