package org.patientplatform.patient.orders;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A lab result was released to the patient. Event {@value #TYPE} on {@code lab.test-results.v1}, keyed
 * by the patient id, published through the outbox in the transaction that recorded the result message.
 * It carries no result value and no test name, by design: the notices it leads to only point to the
 * portal. Example: {@code docs/events/patient.TestResultReady.v1.json}.
 *
 * @param patientId the platform's patient id (a UUID)
 * @param orderId the lab order the result belongs to
 * @param testCode the test's code (LOINC or the LIS's own)
 * @param performedAt when the test was performed, when the LIS says so
 * @param releasedAt when the result was released
 */
public record TestResultReady(String patientId, String orderId, String testCode, @Nullable Instant performedAt,
		Instant releasedAt) {

	public static final String TYPE = "patient.TestResultReady.v1";

}
