package org.patientplatform.notification.sending;

import java.time.Instant;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.channels.ChannelSender;
import org.patientplatform.notification.channels.OutboundMessage;
import org.patientplatform.notification.delivery.DeliveryId;
import org.patientplatform.notification.delivery.NotificationId;

/**
 * One recorded attempt of a delivery, committed as {@code SENDING} before its provider is
 * called.
 *
 * @param attempt the delivery's attempt number; an outcome applies only while the
 * delivery is still in this attempt
 * @param startedAt when the attempt was recorded
 * @param message what is sent; null when it is not stored (reconciliation only)
 * @param sender the channel's provider; null when none is configured (reconciliation only)
 */
record Attempt(NotificationId notificationId, DeliveryId deliveryId, int attempt, Instant startedAt,
		@Nullable OutboundMessage message, @Nullable ChannelSender sender) {

	String provider() {
		return (this.sender != null) ? this.sender.provider() : "none";
	}

}
