package org.patientplatform.notification.delivery;

/** How urgent a notification is; urgent ones are not held back by quiet hours. */
public enum Priority {

	NORMAL, URGENT

}
