package org.patientplatform.notification.delivery;

import java.util.UUID;

/** The id of a {@link Delivery}. */
public record DeliveryId(UUID value) {

	public static DeliveryId random() {
		return new DeliveryId(UUID.randomUUID());
	}

	@Override
	public String toString() {
		return this.value.toString();
	}

}
