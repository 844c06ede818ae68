/**
 * Patient records: the {@link org.patientplatform.patient.records.Patient} aggregate with its
 * demographics, the {@link org.patientplatform.patient.records.Patients} that store them and publish
 * PatientRegistered / PatientUpdated through the outbox, and the API that serves them to staff and to
 * each patient for their own record.
 */
@NullMarked
package org.patientplatform.patient.records;

import org.jspecify.annotations.NullMarked;
