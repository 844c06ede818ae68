package org.patientplatform.notification.reminders;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Reminder rules.
 *
 * @param minInterval the shortest gap a rule may put between two reminders (a cron
 * expression's first occurrences are checked), so no rule can flood a patient
 * @param maxLateness how late an occurrence may still be sent, e.g. after the cron role
 * was down; a later one is counted as missed and skipped
 * @param chunkSize rules handled per transaction
 */
@ConfigurationProperties("notification.reminders")
record RemindersProperties(@DefaultValue("PT1H") Duration minInterval, @DefaultValue("PT1H") Duration maxLateness,
		@DefaultValue("200") int chunkSize) {
}
