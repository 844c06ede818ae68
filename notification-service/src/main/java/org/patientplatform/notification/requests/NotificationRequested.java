package org.patientplatform.notification.requests;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.PatientIds;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Priority;

/**
 * A service asks for a notification to a patient. Event {@value #TYPE} on
 * {@code notification.requests.v1}, keyed by patient id; also the body of
 * {@code POST /api/v1/notifications}. The same idempotency key never makes a second
 * notification, and cancels it later ({@link NotificationCancelled}).
 *
 * @param type the notification type (its templates), e.g. {@code appointment-reminder}
 * @param parameters the values its templates may use, at most 50 (as for batches and reminder rules); never
 * result values
 * @param channels the channels to use; null or empty for the patient's preferences
 * @param priority {@code URGENT} ones are not held by quiet hours or capped; null for
 * {@code NORMAL}
 * @param notBefore not to be sent before this time; it waits as {@code SCHEDULED}
 * @param idempotencyKey unique across notifications; namespaced by the caller, e.g.
 * {@code booking:B-1042:reminder-24h}
 */
public record NotificationRequested(@NotBlank @Size(max = 100) String patientId,
		@NotBlank @Pattern(regexp = "^[a-z0-9][a-z0-9-]{0,63}$",
				message = "must be a notification type such as appointment-reminder") String type,
		@Nullable @Size(max = 50) Map<@NotBlank @Size(max = 64) String, @NotNull @Size(max = 2000) String> parameters,
		@Nullable List<@NotNull Channel> channels, @Nullable Priority priority, @Nullable Instant notBefore,
		@NotBlank @Size(max = 255) @Schema(example = "booking:B-1042:reminder-24h") String idempotencyKey) {

	public static final String TYPE = "notification.NotificationRequested.v1";

	/** The patient id without spaces around it, a UUID in lower case ({@link PatientIds}), as every event of this service reads it. */
	public NotificationRequested {
		patientId = PatientIds.canonicalOrNull(patientId);
	}

}
