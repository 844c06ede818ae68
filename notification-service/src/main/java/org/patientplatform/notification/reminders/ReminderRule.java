package org.patientplatform.notification.reminders;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.TimeCursor;
import org.patientplatform.notification.delivery.Priority;

/**
 * A rule that reminds one patient on a schedule.
 *
 * @param cron a cron expression (six fields, seconds first) read in {@code timezone}, or
 * null for an interval rule
 * @param every the fixed interval between reminders, or null for a cron rule
 * @param nextRunAt the next occurrence; null once the schedule has ended
 * @param lastRunAt the last occurrence that made a reminder
 * @param fired how many reminders the rule made
 * @param missed occurrences skipped because they were found too late (the cron role was
 * down)
 * @param active false once deleted
 */
record ReminderRule(UUID id, String patientId, String type, Priority priority, Map<String, String> parameters,
		@Nullable String cron, @Nullable Duration every, String timezone, @Nullable Instant endsAt,
		@Nullable Instant nextRunAt, @Nullable Instant lastRunAt, int fired, int missed, boolean active,
		String createdBy, @Nullable String deletedBy, Instant createdAt, Instant updatedAt) {

	ReminderSchedule schedule() {
		return ReminderSchedule.of(this.cron, this.every, this.timezone, this.endsAt);
	}

	static List<String> sortKey(ReminderRule rule) {
		return new TimeCursor(rule.createdAt(), rule.id()).sortKey();
	}

}
