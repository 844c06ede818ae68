package org.patientplatform.notification.reminders;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.ContactDirectory;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.delivery.Priority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Creates and fires reminder rules. Each due rule is handled in one transaction that holds
 * its row, creates the occurrence's notification (idempotency key
 * {@code reminder:<ruleId>:<occurrence>}) and moves the rule to its next occurrence: an
 * occurrence makes exactly one reminder, however many cron replicas or retries run, and a
 * rule one replica is firing is skipped by the others.
 */
@Service
class Reminders {

	/** The longest {@code every} a rule may have. */
	static final Duration LONGEST = Duration.ofDays(366);

	static final String WAITING_FOR_CONTACT = "Waiting for the patient's contact details";

	/** Occurrences looked at when catching up after an outage, at most. */
	private static final int MAX_CATCH_UP = 100_000;

	private static final Logger log = LoggerFactory.getLogger(Reminders.class);

	private final ReminderRules rules;

	private final ContactDirectory contacts;

	private final Notifications notifications;

	private final TransactionTemplate transactions;

	private final RemindersProperties properties;

	Reminders(ReminderRules rules, ContactDirectory contacts, Notifications notifications,
			TransactionTemplate transactions, RemindersProperties properties) {
		this.rules = rules;
		this.contacts = contacts;
		this.notifications = notifications;
		this.transactions = transactions;
		this.properties = properties;
	}

	/**
	 * Stores a new rule with its first occurrence.
	 * @throws InvalidScheduleException when the schedule would remind more often than
	 * {@code notification.reminders.min-interval} or less often than {@link #LONGEST}, or has no occurrence left
	 */
	ReminderRule create(NewRule rule, String createdBy, Instant now) {
		ReminderSchedule schedule = ReminderSchedule.of(rule.cron(), rule.every(), rule.timezone(), rule.endsAt());
		Duration min = this.properties.minInterval();
		Duration gap = (rule.every() != null) ? rule.every() : schedule.shortestGap(now, 6);
		if (gap != null && gap.compareTo(min) < 0) {
			throw new InvalidScheduleException("The schedule reminds every " + gap + "; the shortest allowed is " + min);
		}
		// a far longer period overflowed the date arithmetic: a 500 instead of this refusal
		if (rule.every() != null && rule.every().compareTo(LONGEST) > 0) {
			throw new InvalidScheduleException("The schedule reminds every " + rule.every() + "; the longest allowed is "
					+ LONGEST + " (use cron for a yearly reminder)");
		}
		Instant first = schedule.first(now, rule.startAt());
		if (first == null) {
			// a cron that names no date there is (the 31st of February) has no end to be before: say what it is
			throw new InvalidScheduleException((rule.endsAt() != null)
					? "The schedule has no occurrence before it ends (endsAt " + rule.endsAt() + ")"
					: "The schedule never occurs: its cron names no date there is (such as the 31st of February)");
		}
		ReminderRule stored = new ReminderRule(UUID.randomUUID(), rule.patientId(), rule.type(), rule.priority(),
				rule.parameters(), rule.cron(), rule.every(), rule.timezone(), rule.endsAt(), first, null, 0, 0, true,
				createdBy, null, now, now);
		this.rules.insert(stored);
		return stored;
	}

	/**
	 * Makes the reminders of every rule due at {@code now}, a chunk of rules per
	 * transaction.
	 * @return how many reminders were created
	 */
	int fireDue(Instant now) {
		int created = 0;
		while (true) {
			int[] chunk = this.transactions.execute((status) -> fireChunk(now));
			if (chunk == null) {
				return created;
			}
			created += chunk[1];
			if (chunk[0] < this.properties.chunkSize()) {
				return created;
			}
		}
	}

	/** One chunk of due rules; returns {rules handled, reminders created}. */
	private int[] fireChunk(Instant now) {
		List<ReminderRule> due = this.rules.lockDue(now, this.properties.chunkSize());
		if (due.isEmpty()) {
			return new int[] { 0, 0 };
		}
		Map<String, Contact> known = this.contacts.findAllForNotices(due.stream().map(ReminderRule::patientId).toList());
		List<Notification> reachable = new ArrayList<>();
		List<Notification> waiting = new ArrayList<>();
		for (ReminderRule rule : due) {
			Occurrence occurrence = occurrence(rule, now);
			if (occurrence.fire() != null) {
				Contact contact = known.get(rule.patientId());
				// a rule of a patient merged since reminds the survivor
				NewNotification notice = new NewNotification(rule.type(),
						ContactDirectory.addressee(rule.patientId(), contact), rule.priority(),
						idempotencyKey(rule.id(), occurrence.fire()), null, rule.parameters(), null);
				if (contact == null || !contact.isKnown()) {
					waiting.add(Notification.awaitingContact(notice, WAITING_FOR_CONTACT, now));
				}
				else {
					reachable.add(Notification.create(notice, contact.deliveryTargets(), now));
				}
			}
			this.rules.advance(rule.id(), occurrence.next(),
					(occurrence.fire() != null) ? occurrence.fire() : rule.lastRunAt(),
					(occurrence.fire() != null) ? 1 : 0, occurrence.missed(), now);
		}
		int created = this.notifications.storeNew(reachable) + this.notifications.storeNew(waiting);
		log.info("Reminders: {} rules due, {} reminders created", due.size(), created);
		return new int[] { due.size(), created };
	}

	/**
	 * The occurrence to remind of now: the latest one due, unless it is later than
	 * {@code max-lateness}; the earlier ones missed while the cron role was down are
	 * skipped, never sent in a burst.
	 */
	private Occurrence occurrence(ReminderRule rule, Instant now) {
		ReminderSchedule schedule = rule.schedule();
		Instant latest = rule.nextRunAt();
		if (latest == null) {
			return new Occurrence(null, null, 0);
		}
		int missed = 0;
		Instant next = schedule.next(latest);
		while (next != null && !next.isAfter(now) && missed < MAX_CATCH_UP) {
			latest = next;
			next = schedule.next(next);
			missed++;
		}
		if (Duration.between(latest, now).compareTo(this.properties.maxLateness()) > 0) {
			return new Occurrence(null, next, missed + 1);
		}
		return new Occurrence(latest, next, missed);
	}

	static String idempotencyKey(UUID ruleId, Instant occurrence) {
		return "reminder:" + ruleId + ":" + occurrence;
	}

	/**
	 * What to do with a due rule.
	 *
	 * @param fire the occurrence to remind of, or null when it is too late
	 * @param next the rule's next occurrence, or null when the schedule has ended
	 * @param missed occurrences skipped
	 */
	private record Occurrence(@Nullable Instant fire, @Nullable Instant next, int missed) {
	}

	/** A rule to create. */
	record NewRule(String patientId, String type, Priority priority, Map<String, String> parameters,
			@Nullable String cron, @Nullable Duration every, String timezone, @Nullable Instant startAt,
			@Nullable Instant endsAt) {
	}

	/** A schedule the service will not run. */
	static class InvalidScheduleException extends RuntimeException {

		InvalidScheduleException(String message) {
			super(message);
		}

	}

}
