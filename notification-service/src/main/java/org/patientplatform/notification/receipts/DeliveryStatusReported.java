package org.patientplatform.notification.receipts;

import java.time.Instant;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ReceiptStatus;

/**
 * A provider reported what became of a message. Event {@value #TYPE} on
 * {@code notification.status.v1}, keyed by notification id (by the provider's message id
 * when the webhook could not tell the notification yet), written by the app's provider
 * webhooks through the outbox. Receipts are applied idempotently and in any order.
 *
 * @param notificationId the notification, when known when the receipt arrived
 * @param provider the provider's name, e.g. {@code twilio}
 * @param providerMessageId the provider's id of the message (Twilio's MessageSid)
 * @param reason the provider's error, for failures
 * @param occurredAt when the provider reported it
 */
public record DeliveryStatusReported(@Nullable String notificationId, @NotNull Channel channel,
		@NotBlank String provider, @NotBlank String providerMessageId, @NotNull ReceiptStatus status,
		@Nullable String reason, @NotNull Instant occurredAt) {

	public static final String TYPE = "notification.DeliveryStatusReported.v1";

}
