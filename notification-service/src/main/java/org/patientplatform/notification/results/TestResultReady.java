package org.patientplatform.notification.results;

import java.time.Instant;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.PatientIds;

/**
 * A lab result was released to the patient. Event {@value #TYPE} on
 * {@code lab.test-results.v1}, keyed by patient id. It carries no result value, by
 * design: notices only point to the portal.
 *
 * @param orderId the lab order the result belongs to
 * @param testCode the test's code (LOINC or local)
 * @param performedAt when the test was performed, when the LIS says so
 * @param releasedAt when the result was released to the patient
 */
// sizes as the patient service reads them (an identifier of 250 characters at most): a 900 KB order id was refused
// by the database, and its dead letter's reason was an SQL state
public record TestResultReady(@NotBlank @Size(max = 100) String patientId, @NotBlank @Size(max = 250) String orderId,
		@NotBlank @Size(max = 250) String testCode,
		@Nullable Instant performedAt, @NotNull Instant releasedAt) {

	public static final String TYPE = "patient.TestResultReady.v1";

	/**
	 * Ids without the spaces a producer may leave around them (an HL7 field copied with its padding): " ORD-1 " is
	 * order ORD-1, so the natural key finds the notice already made instead of telling the patient twice. The
	 * patient id is a UUID in lower case ({@link PatientIds}): {@code 6F01F444-…} is the registered {@code 6f01f444-…},
	 * not a second patient whose notice waits for a contact that never comes.
	 */
	public TestResultReady {
		patientId = PatientIds.canonicalOrNull(patientId);
		orderId = strip(orderId);
		testCode = strip(testCode);
	}

	private static String strip(String id) {
		return (id != null) ? id.strip() : null;
	}

}
