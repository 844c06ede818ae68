package org.patientplatform.patient.orders;

/** Where a test order stands. */
public enum TestOrderStatus {

	/** ordered, no result yet */
	ORDERED,
	/** results are coming: preliminary, partial or not yet verified; nothing is released */
	IN_PROGRESS,
	/** the result is final (or a final result was corrected) and released to the patient */
	RESULTED,
	/** the order was cancelled, or cannot be done */
	CANCELLED

}
