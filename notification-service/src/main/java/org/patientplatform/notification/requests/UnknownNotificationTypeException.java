package org.patientplatform.notification.requests;

/**
 * A request names a notification type that has no template on any channel, or does not give the
 * parameters its templates show.
 */
class UnknownNotificationTypeException extends RuntimeException {

	UnknownNotificationTypeException(String type) {
		super("Unknown notification type '" + type + "': it has no template on any channel");
	}

	UnknownNotificationTypeException(String type, java.util.List<String> missingParameters) {
		super("Notification type '" + type + "' needs the parameters " + String.join(", ", missingParameters)
				+ " (its messages show them)");
	}

}
