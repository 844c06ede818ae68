package org.patientplatform.notification.housekeeping;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Housekeeping of notifications.
 *
 * @param expireAfter how long a delivery may stay pending or scheduled after it was due
 * (created, or its not-before) before it ends {@code UNDELIVERABLE}, reason "expired"
 * @param parkedWindow how long a notification waits for its patient's contact details
 * before it ends {@code UNDELIVERABLE} with the reason
 * @param bodyRetention how long message bodies (parameters, the rendered recipient,
 * subject and text) are kept; the ids, states, timestamps and reasons stay
 * @param chunkSize notifications handled per transaction
 */
@ConfigurationProperties("notification.housekeeping")
record HousekeepingProperties(@DefaultValue("P3D") Duration expireAfter, @DefaultValue("P7D") Duration parkedWindow,
		@DefaultValue("P90D") Duration bodyRetention, @DefaultValue("1000") int chunkSize) {

	HousekeepingProperties {
		if (!expireAfter.isPositive() || !parkedWindow.isPositive() || chunkSize < 1) {
			throw new IllegalArgumentException("notification.housekeeping: durations and chunk size must be positive");
		}
		if (bodyRetention.compareTo(expireAfter) <= 0 || bodyRetention.compareTo(parkedWindow) <= 0) {
			// a body must outlive every notice that may still be sent
			throw new IllegalArgumentException(
					"notification.housekeeping.body-retention must be longer than expire-after and parked-window");
		}
	}

}
