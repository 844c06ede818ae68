package org.patientplatform.notification.delivery;

/** What a provider's receipt (or the patient) says about a sent message. */
public enum ReceiptStatus {

	/** It reached the device or mailbox. */
	DELIVERED,
	/** The patient opened it. */
	READ,
	/** The provider could not send it. */
	FAILED,
	/** The provider sent it but it cannot reach the recipient (unknown or unreachable address). */
	UNDELIVERABLE

}
