package org.patientplatform.dlq.retry;

import org.patientplatform.kit.cron.CronTask;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.stereotype.Component;

/**
 * Role {@code cron}: every few seconds, once across replicas, counts redrives without an outcome past the
 * timeout as failed, then redrives the due entries.
 */
@Component
@ConditionalOnRole("cron")
class RetryTask implements CronTask {

	private final RetrySchedule schedule;

	private final DueRetries due;

	private final RetryProperties properties;

	RetryTask(RetrySchedule schedule, DueRetries due, RetryProperties properties) {
		this.schedule = schedule;
		this.due = due;
		this.properties = properties;
	}

	@Override
	public String name() {
		return "dlq-retry";
	}

	@Override
	public String cron() {
		return this.properties.cron();
	}

	@Override
	public void run() {
		this.schedule.releaseTimedOut();
		this.due.redriveDue();
	}

}
