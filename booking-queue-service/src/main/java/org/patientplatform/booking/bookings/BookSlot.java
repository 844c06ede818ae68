package org.patientplatform.booking.bookings;

import java.util.UUID;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Command: book a place in a slot for a patient (validated, so never null).
 *
 * @param slotId the slot
 * @param patientId the patient; a patient may only book for themself
 */
record BookSlot(@NotNull UUID slotId, @NotBlank @Size(max = 64)
			@Pattern(regexp = PatientIds.FORM, message = PatientIds.RULE) String patientId) {

	/** A UUID patient id in lower case ({@link PatientIds}). */
	BookSlot {
		patientId = PatientIds.canonical(patientId);
	}

}
