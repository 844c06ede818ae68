package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

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
 * @param sourceEventAt when the source event happened (end-to-end latency is measured from
 * it), when there is one
 * @param channels the channels to use in place of the patient's preferences; null when the
 * preferences decide
 */
public record NewNotification(String type, String patientId, Priority priority, String idempotencyKey,
		@Nullable String sourceEventId, Map<String, String> parameters, @Nullable Instant notBefore,
		@Nullable Instant sourceEventAt, @Nullable Set<Channel> channels) {

	public NewNotification {
		parameters = Map.copyOf(parameters);
		channels = (channels != null && !channels.isEmpty()) ? Set.copyOf(EnumSet.copyOf(channels)) : null;
	}

	/** Content whose channels the patient's preferences decide, not made from a timed event. */
	public NewNotification(String type, String patientId, Priority priority, String idempotencyKey,
			@Nullable String sourceEventId, Map<String, String> parameters, @Nullable Instant notBefore) {
		this(type, patientId, priority, idempotencyKey, sourceEventId, parameters, notBefore, null, null);
	}

}
