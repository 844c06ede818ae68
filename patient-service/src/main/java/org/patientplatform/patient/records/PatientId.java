package org.patientplatform.patient.records;

import java.util.UUID;

/** A patient's id: the platform's own, never the LIS's medical record number. */
public record PatientId(UUID value) {

	public static PatientId random() {
		return new PatientId(UUID.randomUUID());
	}

	@Override
	public String toString() {
		return this.value.toString();
	}

}
