/**
 * Retention: the cron role purges {@code RESOLVED} and {@code DISCARDED} entries (with their failure and
 * redrive history) once their last change is older than {@code dlq.retention.resolved-days}; no other
 * status is ever purged.
 */
@NullMarked
package org.patientplatform.dlq.retention;

import org.jspecify.annotations.NullMarked;
