package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The stored notifications with their deliveries.
 */
public interface Notifications {

	/**
	 * Stores new notifications and their deliveries, in the caller's transaction. One
	 * whose idempotency key or source event id is already stored (or comes earlier in the
	 * same list) is skipped, deliveries and all: a redelivered event never makes a second
	 * notification.
	 * @return how many were stored
	 */
	int storeNew(List<Notification> notifications);

	Optional<Notification> findById(NotificationId id);

	/**
	 * Gives the patient's notifications that wait for a contact their deliveries, in the caller's
	 * transaction (the one that stored the contact).
	 * @return how many notifications were released
	 */
	int releaseWaitingForContact(String patientId, List<ChannelTarget> targets, Instant now);

}
