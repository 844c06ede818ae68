package org.patientplatform.notification.receipts;

import java.time.Clock;
import java.time.temporal.ChronoUnit;

import org.patientplatform.kit.cron.CronTask;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.stereotype.Component;

/**
 * Role {@code cron}: every {@code notification.sms-status.schedule} (five minutes), asks Twilio for the final
 * status of the SMS whose callbacks never came. The kit runs each occurrence once across the cron replicas; the
 * claim ({@code FOR UPDATE SKIP LOCKED}, each delivery marked asked as it is claimed) keeps two overlapping runs
 * from asking about the same message.
 */
@Component
@ConditionalOnRole("cron")
class SmsStatusTask implements CronTask {

	private final SmsStatusReconciliation reconciliation;

	private final SmsStatusProperties properties;

	private final Clock clock = Clock.systemUTC();

	SmsStatusTask(SmsStatusReconciliation reconciliation, SmsStatusProperties properties) {
		this.reconciliation = reconciliation;
		this.properties = properties;
	}

	@Override
	public String name() {
		return "notification-sms-status";
	}

	@Override
	public String cron() {
		return this.properties.schedule();
	}

	@Override
	public void run() {
		this.reconciliation.reconcile(this.clock.instant().truncatedTo(ChronoUnit.MICROS));
	}

}
