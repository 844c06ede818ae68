package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A notification as the API shows it.
 *
 * @param state the state of its most advanced delivery
 * @param waitingForContact true while it waits for the patient's contact details
 * @param reason why it waits or cannot be delivered
 */
record NotificationView(UUID id, String patientId, String type, Priority priority, DeliveryState state,
		boolean waitingForContact, @Nullable String reason, Map<String, String> parameters, @Nullable Instant notBefore,
		Instant createdAt, Instant updatedAt, List<DeliveryView> deliveries) {

	static NotificationView of(Notification n) {
		return new NotificationView(n.id().value(), n.patientId(), n.type(), n.priority(), n.state(),
				n.isWaitingForContact(), n.reason(), n.parameters(), n.notBefore(), n.createdAt(), n.updatedAt(),
				n.deliveries().stream().map(DeliveryView::of).toList());
	}

	record DeliveryView(UUID id, Channel channel, DeliveryState state, @Nullable String reason, int attempts,
			Instant stateChangedAt) {

		static DeliveryView of(Delivery d) {
			return new DeliveryView(d.id().value(), d.channel(), d.state(), d.reason(), d.attempts(),
					d.stateChangedAt());
		}

	}

}
