/**
 * Monitoring: the DLQ's gauges (entries by status, age of the oldest unresolved entry, active failure
 * patterns), read from the database at most every few seconds whatever the scrape rate.
 */
@NullMarked
package org.patientplatform.dlq.monitoring;

import org.jspecify.annotations.NullMarked;
