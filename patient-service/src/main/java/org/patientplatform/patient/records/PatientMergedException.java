package org.patientplatform.patient.records;

import org.patientplatform.kit.events.InvalidEventException;

/**
 * An LIS message for a patient that was merged into another: its MRN is no longer the patient's. Non-retryable (the
 * record is dead-lettered with this reason): the LIS should send the surviving patient's MRN. Names ids only.
 */
public class PatientMergedException extends InvalidEventException {

	private static final long serialVersionUID = 1L;

	PatientMergedException(Patient merged) {
		super("Patient " + merged.id() + " was merged into patient " + merged.mergedInto()
				+ "; its MRN is no longer used (send the surviving patient's MRN)");
	}

}
