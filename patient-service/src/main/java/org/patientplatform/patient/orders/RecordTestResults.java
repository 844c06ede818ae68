package org.patientplatform.patient.orders;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Command: record the state of the orders a result message (ORU^R01) reports, linking each to its
 * patient. It carries no result value by design: only the order, the test's code, its status and its
 * times.
 *
 * @param results one per order reported, at least one
 * @param asOf when the LIS sent the message (MSH-7); a message older than an order's stored state
 * changes nothing of that order
 * @param messageControlId the HL7 message control id (MSH-10)
 */
public record RecordTestResults(List<Result> results, @Nullable Instant asOf, String messageControlId) {

	public RecordTestResults {
		results = List.copyOf(results);
		if (results.isEmpty()) {
			throw new IllegalArgumentException("A result message reports at least one order");
		}
	}

	/**
	 * What the message says of one order.
	 *
	 * @param mrn the patient's medical record number (PID-3)
	 * @param orderId the order number (placer, else filler)
	 * @param testCode the code of the test, never its name
	 * @param status {@link TestOrderStatus#RESULTED} when the result is final or corrected
	 * @param performedAt when the test was performed (the observation time), when known
	 * @param releasedAt when the result was released, when known
	 */
	public record Result(String mrn, String orderId, String testCode, TestOrderStatus status,
			@Nullable Instant performedAt, @Nullable Instant releasedAt) {
	}

}
