package org.patientplatform.notification.delivery;

/** A way to reach a patient. */
public enum Channel {

	SMS, EMAIL, PUSH

}
