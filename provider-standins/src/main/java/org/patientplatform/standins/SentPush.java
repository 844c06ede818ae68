package org.patientplatform.standins;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A message the FCM stand-in accepted.
 *
 * @param name its resource name, {@code projects/<project>/messages/<id>}
 * @param token the registration token it was sent to
 * @param title the notification title
 * @param body the notification body
 * @param data the data payload
 * @param receivedAt when the stand-in took it
 */
public record SentPush(String name, String token, @Nullable String title, @Nullable String body,
		Map<String, String> data, Instant receivedAt) {

	@Override
	public String toString() {
		return "SentPush[" + this.name + "]";
	}

}
