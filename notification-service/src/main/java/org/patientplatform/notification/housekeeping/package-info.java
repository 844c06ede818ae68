/**
 * Housekeeping: expires notices that could not be sent in time, ends those whose
 * patient's contact never arrived, builds the daily delivery report, and purges message
 * bodies after the retention period while keeping the metadata. The {@code cron} role
 * asks; the {@code wrk--default} worker does the work.
 */
@NullMarked
package org.patientplatform.notification.housekeeping;

import org.jspecify.annotations.NullMarked;
