package org.patientplatform.notification.housekeeping;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.ContactDirectory;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.DeliveryState;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.NotificationId;
import org.patientplatform.notification.delivery.Notifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Ends the notices that can no longer be useful, a chunk per transaction: deliveries still
 * pending or scheduled longer than {@code expire-after} after they were due, and
 * notifications whose patient's contact did not arrive within {@code parked-window}. Both
 * end {@code UNDELIVERABLE} with the reason, through the delivery state machine and with
 * the notification locked, so a sender that took a delivery meanwhile keeps it. Notifications
 * still waiting for details that did arrive are released first ({@link #releaseKnown}).
 */
@Service
class NoticeExpiry {

	static final String EXPIRED = "expired";

	private static final Logger log = LoggerFactory.getLogger(NoticeExpiry.class);

	/** Rounds of one run at most, should a round keep finding the same notices. */
	private static final int MAX_ROUNDS = 10_000;

	private final JdbcTemplate jdbc;

	private final Notifications notifications;

	private final TransactionTemplate transactions;

	private final HousekeepingProperties properties;

	private final ContactDirectory contacts;

	NoticeExpiry(JdbcTemplate jdbc, Notifications notifications, TransactionTemplate transactions,
			HousekeepingProperties properties, ContactDirectory contacts) {
		this.contacts = contacts;
		this.jdbc = jdbc;
		this.notifications = notifications;
		this.transactions = transactions;
		this.properties = properties;
	}

	/**
	 * Runs chunk after chunk, each in its own transaction, until one is short or changes nothing (or
	 * {@link #MAX_ROUNDS} ran).
	 * @param chunk returns {rows selected, rows changed}
	 * @return the rows changed
	 */
	private int inChunks(TransactionCallback<int[]> chunk) {
		int changed = 0;
		for (int round = 0; round < MAX_ROUNDS; round++) {
			int[] done = this.transactions.execute(chunk);
			if (done == null) {
				break;
			}
			changed += done[1];
			if (done[0] < this.properties.chunkSize() || done[1] == 0) {
				break;
			}
		}
		return changed;
	}

	/**
	 * Ends the deliveries due more than {@code expire-after} before {@code now} that were
	 * never sent.
	 * @return how many deliveries expired
	 */
	int expireStale(Instant now) {
		Instant cutoff = now.minus(this.properties.expireAfter());
		String reason = EXPIRED + ": not sent within " + describe(this.properties.expireAfter()) + " of being due";
		int expired = inChunks((status) -> {
			List<NotificationId> ids = ids("""
					SELECT DISTINCT d.notification_id FROM delivery d JOIN notification n ON n.id = d.notification_id
					WHERE d.state IN ('PENDING', 'SCHEDULED') AND d.created_at < ?
					  AND greatest(d.created_at, n.not_before) < ?
					LIMIT ?
					""", timestamp(cutoff), timestamp(cutoff), this.properties.chunkSize());
			List<Notification> locked = this.notifications.lock(ids);
			int changed = 0;
			for (Notification notification : locked) {
				for (Delivery delivery : notification.deliveries()) {
					// as selected, unless a sender took it while we waited for the lock
					if (isUnsent(delivery) && due(notification, delivery).isBefore(cutoff)) {
						delivery.markUndeliverable(reason, now);
						notification.touch(now);
						changed++;
					}
				}
			}
			this.notifications.saveChanges(locked, now);
			return new int[] { ids.size(), changed };
		});
		if (expired > 0) {
			log.info("Expired {} deliveries not sent within {} of being due", expired, this.properties.expireAfter());
		}
		return expired;
	}

	/**
	 * Releases the notifications still waiting for a contact that is known: parked while the patient's
	 * details were being recorded, before the details lock
	 * ({@link ContactDirectory#findAllForNotices}) kept the two apart, or by any path that misses it.
	 * Runs before {@link #endParked}, so that none of them is ended for want of details that did arrive.
	 * @return how many notifications were released
	 */
	int releaseKnown(Instant now) {
		int released = inChunks((status) -> {
			List<String> patients = this.jdbc.queryForList("""
					SELECT DISTINCT n.patient_id FROM notification n JOIN contact c ON c.patient_id = n.patient_id
					WHERE n.waiting_for_contact AND c.details_at IS NOT NULL
					LIMIT ?
					""", String.class, this.properties.chunkSize());
			Map<String, Contact> known = this.contacts.findAll(patients);
			int changed = 0;
			for (String patient : patients) {
				Contact contact = known.get(patient);
				if (contact != null && contact.isKnown()) {
					changed += this.notifications.releaseWaitingForContact(patient, contact.deliveryTargets(), now);
				}
			}
			return new int[] { patients.size(), changed };
		});
		if (released > 0) {
			log.warn("Released {} notifications that were still waiting for contact details already recorded",
					released);
		}
		return released;
	}

	/**
	 * Ends the notifications that waited for their patient's contact longer than
	 * {@code parked-window} before {@code now}.
	 * @return how many notifications ended
	 */
	int endParked(Instant now) {
		Instant cutoff = now.minus(this.properties.parkedWindow());
		String reason = "The patient's contact details did not arrive within "
				+ describe(this.properties.parkedWindow());
		int ended = inChunks((status) -> {
			List<NotificationId> ids = ids("""
					SELECT id FROM notification WHERE waiting_for_contact AND created_at < ?
					ORDER BY created_at LIMIT ?
					""", timestamp(cutoff), this.properties.chunkSize());
			List<Notification> locked = this.notifications.lock(ids);
			int changed = 0;
			for (Notification notification : locked) {
				// the contact may have arrived while we waited for the lock
				if (notification.isWaitingForContact() && notification.createdAt().isBefore(cutoff)) {
					notification.contactNeverArrived(reason, now);
					changed++;
				}
			}
			this.notifications.saveChanges(locked, now);
			return new int[] { ids.size(), changed };
		});
		if (ended > 0) {
			log.info("Ended {} notifications whose contact did not arrive within {}", ended,
					this.properties.parkedWindow());
		}
		return ended;
	}

	private List<NotificationId> ids(String sql, Object... args) {
		return this.jdbc.queryForList(sql, UUID.class, args).stream().map(NotificationId::new).toList();
	}

	private static boolean isUnsent(Delivery delivery) {
		return delivery.state() == DeliveryState.PENDING || delivery.state() == DeliveryState.SCHEDULED;
	}

	/** When a delivery was due: when it was made, or the notification's not-before if later. */
	private static Instant due(Notification notification, Delivery delivery) {
		Instant notBefore = notification.notBefore();
		return (notBefore != null && notBefore.isAfter(delivery.createdAt())) ? notBefore : delivery.createdAt();
	}

	/** A period as people read it: "3 days", "12 hours", else ISO-8601. */
	static String describe(Duration duration) {
		if (duration.toSeconds() % 86_400 == 0) {
			long days = duration.toDays();
			return days + ((days == 1) ? " day" : " days");
		}
		if (duration.toSeconds() % 3_600 == 0) {
			long hours = duration.toHours();
			return hours + ((hours == 1) ? " hour" : " hours");
		}
		return duration.toString();
	}

	private static OffsetDateTime timestamp(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

}
