package org.patientplatform.patient.records;

import java.time.Instant;

/**
 * A patient was merged into another (ADT^A40 from the LIS): the merged patient's record is kept, marked merged, and
 * its test orders now belong to the surviving patient, whose id every later event and notice carries. Event
 * {@value #TYPE} on {@code patient.events.v1}, keyed by the surviving patient's id, published through the outbox in
 * the transaction of the merge. Example: {@code docs/events/patient.PatientMerged.v1.json}.
 *
 * @param patientId the surviving patient's id (a UUID)
 * @param mergedPatientId the merged patient's id, no longer used
 * @param mergedMrn the merged patient's medical record number (MRG-1)
 * @param mergedAt when the merge was applied here
 */
public record PatientMerged(String patientId, String mergedPatientId, String mergedMrn, Instant mergedAt) {

	public static final String TYPE = "patient.PatientMerged.v1";

}
