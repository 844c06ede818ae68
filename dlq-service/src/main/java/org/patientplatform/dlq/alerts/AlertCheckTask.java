package org.patientplatform.dlq.alerts;

import org.patientplatform.kit.cron.CronTask;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.stereotype.Component;

/** The volume spike and oldest-unresolved checks, run by the cron role once across replicas. */
@Component
@ConditionalOnRole("cron")
class AlertCheckTask implements CronTask {

	private final OpsAlerts alerts;

	private final AlertProperties properties;

	AlertCheckTask(OpsAlerts alerts, AlertProperties properties) {
		this.alerts = alerts;
		this.properties = properties;
	}

	@Override
	public String name() {
		return "dlq-alert-checks";
	}

	@Override
	public String cron() {
		return this.properties.cron();
	}

	@Override
	public void run() {
		this.alerts.check();
	}

}
