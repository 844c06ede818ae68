package org.patientplatform.dlq.retention;

import org.patientplatform.kit.cron.CronTask;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.stereotype.Component;

/** The daily purge, run by the cron role once across replicas. */
@Component
@ConditionalOnRole("cron")
class RetentionTask implements CronTask {

	private final Retention retention;

	private final RetentionProperties properties;

	RetentionTask(Retention retention, RetentionProperties properties) {
		this.retention = retention;
		this.properties = properties;
	}

	@Override
	public String name() {
		return "dlq-retention";
	}

	@Override
	public String cron() {
		return this.properties.cron();
	}

	@Override
	public void run() {
		this.retention.purge();
	}

}
