package org.patientplatform.kit.jobs;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A background job as the ops endpoint shows it.
 *
 * @param id the job's id
 * @param queue its queue ({@code default}, {@code notifications}, {@code batch-publisher})
 * @param type what it does, the handler's type
 * @param status {@code READY}, {@code RUNNING}, {@code SUCCEEDED} or {@code FAILED}
 * @param attempts the attempts made since it was enqueued or last retried by hand
 * @param maxAttempts the attempts it gets before it is kept {@code FAILED}
 * @param runAt when it runs next (or ran last)
 * @param lastError the last attempt's error, or null
 * @param createdAt when it was enqueued
 * @param updatedAt when its state last changed (the list's order)
 * @param finishedAt when it succeeded or failed for good, or null
 */
public record JobView(long id, String queue, String type, String status, int attempts, int maxAttempts,
		Instant runAt, @Nullable String lastError, Instant createdAt, Instant updatedAt,
		@Nullable Instant finishedAt) {

}
