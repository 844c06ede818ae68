package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a notification is about, before it exists.
 *
 * @param type the notification type, e.g. {@code test-result-ready}; picks the templates
 * @param patientId the patient it goes to
 * @param priority urgent ones ignore quiet hours
 * @param idempotencyKey unique across all notifications: a second notification with the
 * same key is never created
 * @param sourceEventId the id of the event it was made from, when it was
 * @param parameters template parameters; never result values
 * @param notBefore not to be sent before this time, when set
 */
public record NewNotification(String type, String patientId, Priority priority, String idempotencyKey,
		@Nullable String sourceEventId, Map<String, String> parameters, @Nullable Instant notBefore) {

	public NewNotification {
		parameters = Map.copyOf(parameters);
	}

}
