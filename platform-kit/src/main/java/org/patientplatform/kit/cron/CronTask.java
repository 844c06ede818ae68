package org.patientplatform.kit.cron;

/**
 * A scheduled task of a service. Declare it as a bean; it runs only in instances with the {@code cron}
 * role, once per occurrence across all of them.
 */
public interface CronTask {

	/** A stable name, unique in the service. */
	String name();

	/** A Spring cron expression (six fields, seconds first), evaluated in UTC. */
	String cron();

	void run() throws Exception;

}
