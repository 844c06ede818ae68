package org.patientplatform.notification.reminders;

import java.time.Clock;
import java.time.temporal.ChronoUnit;

import org.patientplatform.kit.cron.CronTask;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.stereotype.Component;

/**
 * Role {@code cron}: every minute, makes the reminders that are due. The kit runs each
 * minute once across the cron replicas; the rule rows make each occurrence a single
 * reminder even if two runs overlap.
 */
@Component
@ConditionalOnRole("cron")
class ReminderTask implements CronTask {

	private final Reminders reminders;

	private final Clock clock = Clock.systemUTC();

	ReminderTask(Reminders reminders) {
		this.reminders = reminders;
	}

	@Override
	public String name() {
		return "notification-reminders";
	}

	@Override
	public String cron() {
		return "0 * * * * *";
	}

	@Override
	public void run() {
		this.reminders.fireDue(this.clock.instant().truncatedTo(ChronoUnit.MICROS));
	}

}
