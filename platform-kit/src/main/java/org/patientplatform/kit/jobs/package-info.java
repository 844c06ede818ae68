/**
 * Durable background jobs in PostgreSQL: named queues, leases, retries with exponential backoff.
 */
@NullMarked
package org.patientplatform.kit.jobs;

import org.jspecify.annotations.NullMarked;
