package org.patientplatform.notification.requests;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.PatientIds;

/**
 * A service withdraws the notification it requested with this idempotency key, e.g. the
 * booking it reminds of was cancelled: what is not sent yet is cancelled; what went out
 * stays. Event {@value #TYPE} on {@code notification.requests.v1}, keyed like its request
 * (by patient id) so it follows it. Also the body of
 * {@code POST /api/v1/notifications/cancel}.
 *
 * @param patientId the patient, when the sender has it (the record key)
 * @param reason why, shown on the cancelled deliveries; a default when null
 */
public record NotificationCancelled(@NotBlank @Size(max = 255) String idempotencyKey,
		@Nullable @Size(max = 500) String reason, @Nullable String patientId) {

	public static final String TYPE = "notification.NotificationCancelled.v1";

	static final String DEFAULT_REASON = "Cancelled by the requester";

	/** The patient id as every event of this service reads it ({@link PatientIds}). */
	public NotificationCancelled {
		patientId = PatientIds.canonicalOrNull(patientId);
	}

	String reasonOrDefault() {
		return (this.reason != null && !this.reason.isBlank()) ? this.reason : DEFAULT_REASON;
	}

}
