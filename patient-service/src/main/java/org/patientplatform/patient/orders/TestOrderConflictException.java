package org.patientplatform.patient.orders;

/**
 * A message names an order that is linked to another patient: the LIS contradicts itself, and no retry
 * will change that. The message carries ids only, never patient data.
 */
public class TestOrderConflictException extends RuntimeException {

	TestOrderConflictException(String message) {
		super(message);
	}

}
