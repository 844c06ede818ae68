package org.patientplatform.notification.requests;

/** A request names a notification type that has no template on any channel. */
class UnknownNotificationTypeException extends RuntimeException {

	UnknownNotificationTypeException(String type) {
		super("Unknown notification type '" + type + "': it has no template on any channel");
	}

	UnknownNotificationTypeException(String type, String why) {
		super("Notification type '" + type + "' " + why);
	}

}
