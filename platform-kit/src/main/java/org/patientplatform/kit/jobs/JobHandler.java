package org.patientplatform.kit.jobs;

import java.util.function.BooleanSupplier;

import tools.jackson.databind.JsonNode;

/**
 * Runs one type of job. A handler that throws has its job retried with exponential backoff until the
 * job's attempts run out; then the job is kept as FAILED with the error. Handlers must tolerate running a
 * job again (a worker can die after the work and before recording it).
 */
public interface JobHandler {

	/** The job type this handler runs. */
	String type();

	void handle(Job job) throws Exception;

	/**
	 * A claimed job.
	 *
	 * @param id the job id
	 * @param queue the queue it came from
	 * @param type the job type
	 * @param payload the JSON payload
	 * @param attempt this attempt's number, from 1
	 * @param stopping true once the worker is stopping (the service shuts down): a long job should end at its
	 * next safe point and leave the rest to a fresh job, rather than be cut off when the drain time is over
	 */
	record Job(long id, String queue, String type, JsonNode payload, int attempt, BooleanSupplier stopping) {

		/** A job whose worker never stops it early (a direct call, a test). */
		public Job(long id, String queue, String type, JsonNode payload, int attempt) {
			this(id, queue, type, payload, attempt, () -> false);
		}

		/** True once the worker is stopping. */
		public boolean isStopping() {
			return this.stopping.getAsBoolean();
		}

	}

}
