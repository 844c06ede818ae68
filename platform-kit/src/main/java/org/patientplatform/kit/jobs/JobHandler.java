package org.patientplatform.kit.jobs;

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
	 */
	record Job(long id, String queue, String type, JsonNode payload, int attempt) {
	}

}
