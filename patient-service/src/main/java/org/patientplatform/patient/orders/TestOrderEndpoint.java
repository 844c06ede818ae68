package org.patientplatform.patient.orders;

import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.Page;
import org.patientplatform.patient.records.Patient;
import org.patientplatform.patient.records.PatientReads;

import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A patient's lab tests: what was ordered, where each stands and when its result was released, never a result
 * value. Staff read any patient's, a patient only their own (403 otherwise, whether or not the patient exists);
 * every read is audited as {@code read-test-orders} ({@link PatientReads}).
 */
@RestController
@ConditionalOnRole("app")
@Tag(name = "Test orders", description = "A patient's lab tests and their states, as the LIS reported them")
@SecurityRequirement(name = "bearer")
class TestOrderEndpoint {

	private final PatientReads reads;

	private final TestOrders orders;

	TestOrderEndpoint(PatientReads reads, TestOrders orders) {
		this.reads = reads;
		this.orders = orders;
	}

	@GetMapping("/api/v1/patients/{patientId}/test-orders")
	@Operation(summary = "A patient's lab tests, newest first; staff, or the patient themself",
			description = "One item per test of an order (an order number may name several tests), the tests this "
					+ "service learnt of last first (createdAt, then order number and test code). Keyset pages: "
					+ "pass the page's nextCursor as cursor; null on the last page. 404 when there is no such patient.")
	Page<TestOrder> list(@PathVariable UUID patientId,
			@Parameter(description = "only tests in this state") @RequestParam(
					required = false) @Nullable TestOrderStatus status,
			@Parameter(description = "the nextCursor of the previous page") @RequestParam(
					required = false) @Nullable @Size(max = 1000) String cursor,
			@Parameter(description = "page size, 1 to 200 (default 50)") @RequestParam(
					required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit,
			Authentication caller) {
		Patient patient = this.reads.read("read-test-orders", patientId.toString(), caller);
		TestOrder.@Nullable Cursor after = TestOrder.Cursor.decodeOrFirst(cursor);
		int size = Page.limit(limit);
		List<TestOrder> fetched = this.orders.findByPatient(patient.id(), status, after, size + 1);
		return Page.of(fetched, size, (order) -> order.cursor().sortKey());
	}

}
