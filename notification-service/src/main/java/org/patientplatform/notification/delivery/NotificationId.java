package org.patientplatform.notification.delivery;

import java.util.UUID;

/** The id of a {@link Notification}. */
public record NotificationId(UUID value) {

	public static NotificationId random() {
		return new NotificationId(UUID.randomUUID());
	}

	@Override
	public String toString() {
		return this.value.toString();
	}

}
