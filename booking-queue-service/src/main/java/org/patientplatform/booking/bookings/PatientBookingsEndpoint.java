package org.patientplatform.booking.bookings;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.security.PlatformSecurityProperties;
import org.patientplatform.kit.web.Page;
import org.patientplatform.kit.web.TimeCursor;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A patient's bookings, for the patient's own app (what have I booked, and is it still on?) and for staff on the
 * phone with them. Staff list any patient's, a patient only their own (403 otherwise); every listing is audited, ids
 * only.
 */
@RestController
@ConditionalOnRole("app")
@Tag(name = "Bookings", description = "Places in slots; a patient sees and changes only their own")
@SecurityRequirement(name = "bearer")
class PatientBookingsEndpoint {

	private final BookingDesk desk;

	private final PlatformSecurityProperties security;

	private final AuditLog audit;

	PatientBookingsEndpoint(BookingDesk desk, PlatformSecurityProperties security, AuditLog audit) {
		this.desk = desk;
		this.security = security;
		this.audit = audit;
	}

	@GetMapping("/api/v1/patients/{patientId}/bookings")
	@PreAuthorize("hasAnyRole('patient', 'staff')")
	@Operation(summary = "A patient's bookings, the most recently requested first: staff, or the patient themself",
			description = "Keyset pages: pass the page's nextCursor as cursor; null on the last page. A patient with "
					+ "no booking has an empty list. status keeps the bookings in one state (CONFIRMED for the places "
					+ "still to come).")
	Page<Booking> list(@PathVariable @Size(max = 64) String patientId,
			@Parameter(description = "only bookings in this state") @RequestParam(
					required = false) @Nullable BookingStatus status,
			@Parameter(description = "the nextCursor of the previous page") @RequestParam(
					required = false) @Nullable @Size(max = 200) String cursor,
			@Parameter(description = "page size, 1 to 200 (default 50)") @RequestParam(
					required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit,
			@Parameter(hidden = true) Authentication caller) {
		Caller who = Caller.of(caller, this.security, this.desk::survivorOf);
		// a merged patient's bookings are the survivor's
		String patient = this.desk.survivorOf(patientId);
		if (!who.mayActFor(patient)) {
			this.audit.record("list-bookings", "patient", patientId, "DENIED", null);
		}
		who.requireActingFor(patient);
		TimeCursor after = TimeCursor.decodeOrFirst(cursor);
		int size = Page.limit(limit);
		List<Booking> fetched = this.desk.findByPatient(patient, status, after, size + 1);
		this.audit.record("list-bookings", "patient", patientId, "OK", null);
		return Page.of(fetched, size, (booking) -> new TimeCursor(booking.requestedAt(), booking.id()).sortKey());
	}

}
