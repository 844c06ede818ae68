/**
 * Batches: one message to a list or a segment of patients, created in chunks by the
 * {@code wrk--batch-publisher} worker with progress, restart without duplicates, and
 * cancel.
 */
@NullMarked
package org.patientplatform.notification.batches;

import org.jspecify.annotations.NullMarked;
