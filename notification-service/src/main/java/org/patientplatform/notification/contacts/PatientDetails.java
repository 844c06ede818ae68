package org.patientplatform.notification.contacts;

import org.jspecify.annotations.Nullable;

/** The contact part of a patient event that carries the patient's whole record. */
interface PatientDetails {

	String patientId();

	@Nullable String givenName();

	@Nullable String phone();

	@Nullable String email();

	@Nullable String language();

	@Nullable String timezone();

}
