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
public record NotificationView(UUID id, String patientId, String type, Priority priority, DeliveryState state,
		boolean waitingForContact, @Nullable String reason, Map<String, String> parameters, @Nullable Instant notBefore,
		Instant createdAt, Instant updatedAt, List<DeliveryView> deliveries) {

	public static NotificationView of(Notification n) {
		return new NotificationView(n.id().value(), n.patientId(), n.type(), n.priority(), n.state(),
				n.isWaitingForContact(), n.reason(), n.parameters(), n.notBefore(), n.createdAt(), n.updatedAt(),
				n.deliveries().stream().map(DeliveryView::of).toList());
	}

	/**
	 * One delivery as the API shows it.
	 *
	 * @param nextAttemptAt when a scheduled delivery goes (quiet hours, not-before, retry)
	 * @param recipient the address the latest attempt went to; null before the first
	 * attempt or once the message body was purged
	 * @param subject the subject or title that went out, when the channel has one
	 * @param text the text that went out
	 */
	public record DeliveryView(UUID id, Channel channel, DeliveryState state, @Nullable String reason, int attempts,
			Instant stateChangedAt, @Nullable Instant nextAttemptAt, @Nullable String recipient,
			@Nullable String subject, @Nullable String text) {

		static DeliveryView of(Delivery d) {
			MessageContent content = d.content();
			return new DeliveryView(d.id().value(), d.channel(), d.state(), d.reason(), d.attempts(),
					d.stateChangedAt(), d.nextAttemptAt(), (content != null) ? content.recipient() : null,
					(content != null) ? content.subject() : null, (content != null) ? content.text() : null);
		}

	}

}
