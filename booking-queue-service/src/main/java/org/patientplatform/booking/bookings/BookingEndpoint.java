package org.patientplatform.booking.bookings;

import java.net.URI;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.security.PlatformSecurityProperties;
import org.patientplatform.kit.web.IdempotencyKeyFilter;
import org.patientplatform.kit.web.NotFoundException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/bookings")
@ConditionalOnRole("app")
@Tag(name = "Bookings", description = "Places in slots; a patient sees and changes only their own")
@SecurityRequirement(name = "bearer")
class BookingEndpoint {

	private final BookingDesk desk;

	private final PlatformSecurityProperties security;

	private final AuditLog audit;

	BookingEndpoint(BookingDesk desk, PlatformSecurityProperties security, AuditLog audit) {
		this.desk = desk;
		this.security = security;
		this.audit = audit;
	}

	/** Checks the caller may act for the patient, auditing a refusal (ids only). */
	private Caller authorize(Authentication caller, String patientId, String action, Object bookingId) {
		Caller who = Caller.of(caller, this.security, this.desk::survivorOf);
		if (!who.mayActFor(patientId)) {
			this.audit.record(action, "booking", String.valueOf(bookingId), "DENIED", null);
		}
		who.requireActingFor(patientId);
		return who;
	}

	@PostMapping
	@PreAuthorize("hasAnyRole('patient', 'staff')")
	@Operation(summary = "Book a place in a slot",
			description = "201 with the booking; 409 when the slot is full, has started, or the patient already holds "
					+ "a place in it. "
					+ "A patient books for themself only.",
			responses = {
					@ApiResponse(responseCode = "201", description = "Booked: the booking, CONFIRMED",
							headers = @Header(name = "Location", description = "/api/v1/bookings/{id}: the booking",
									schema = @Schema(type = "string", format = "uri-reference")),
							content = @Content(mediaType = "application/json",
									schema = @Schema(implementation = Booking.class))),
					@ApiResponse(responseCode = "400", description = "Invalid request (problem+json naming the field)",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))),
					@ApiResponse(responseCode = "403", description = "A patient booking for another patient",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))),
					@ApiResponse(responseCode = "404", description = "No such slot",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))),
					@ApiResponse(responseCode = "409",
							description = "No place: bookingStatus REJECTED_FULL, REJECTED_SLOT_STARTED or "
									+ "REJECTED_ALREADY_BOOKED; or, without a bookingStatus, the first request with "
									+ "this Idempotency-Key is still in progress (send it again after the Retry-After "
									+ "seconds)",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))) })
	@Parameter(name = IdempotencyKeyFilter.HEADER, in = ParameterIn.HEADER, required = false,
			description = "Makes the request safe to retry: the same key with the same body (the same JSON, however "
					+ "spaced or its members ordered) replays the first answer (24 h); with a body that says something "
					+ "else, 422. Without one, a retried request is answered 409 "
					+ "REJECTED_ALREADY_BOOKED, never given a second place.",
			schema = @Schema(type = "string", minLength = 1, maxLength = 255))
	ResponseEntity<Booking> book(@Valid @RequestBody BookSlot body, @Parameter(hidden = true) Authentication caller) {
		// a merged patient is the survivor, whichever of the two ids the body and the token name
		authorize(caller, this.desk.survivorOf(body.patientId()), "create", "new");
		BookingAttempt attempt = this.desk.book(body.slotId(), body.patientId());
		this.audit.record("create", "booking",
				(attempt instanceof BookingAttempt.Confirmed confirmed) ? confirmed.booking().id().toString() : null,
				(attempt instanceof BookingAttempt.Confirmed) ? "OK" : "REJECTED", null);
		return switch (attempt) {
			case BookingAttempt.Confirmed confirmed -> ResponseEntity
				.created(URI.create("/api/v1/bookings/" + confirmed.booking().id()))
				.body(confirmed.booking());
			case BookingAttempt.Rejected rejected when rejected.status() == BookingStatus.REJECTED_UNKNOWN_SLOT ->
				throw new NotFoundException(rejected.reason());
			case BookingAttempt.Rejected rejected -> throw conflict(
					switch (rejected.status()) {
						case REJECTED_FULL -> "Slot full";
						case REJECTED_SLOT_STARTED -> "Slot started";
						default -> "Already booked";
					},
					rejected.reason(), rejected.status());
		};
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasAnyRole('patient', 'staff')")
	@Operation(summary = "One booking: staff, or the patient who holds it")
	Booking get(@PathVariable UUID id, @Parameter(hidden = true) Authentication caller) {
		Booking booking = this.desk.find(id).orElseThrow(() -> new NotFoundException("No booking " + id));
		authorize(caller, booking.patientId(), "read", id);
		this.audit.record("read", "booking", id.toString(), "OK", null);
		return booking;
	}

	@DeleteMapping("/{id}")
	@PreAuthorize("hasAnyRole('patient', 'staff')")
	@Operation(summary = "Cancel a booking: it gives its place back and leaves the queue",
			description = "Cancelling a cancelled booking answers it again; 409 when the booking was called, marked a "
					+ "no-show or rejected, or, for a patient who has not checked in, once its slot has started (staff still "
					+ "may; a checked-in patient may leave the queue).",
			responses = {
					@ApiResponse(responseCode = "200", description = "Cancelled: the booking",
							content = @Content(mediaType = "application/json",
									schema = @Schema(implementation = Booking.class))),
					@ApiResponse(responseCode = "403", description = "Another patient's booking",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))),
					@ApiResponse(responseCode = "404", description = "No such booking",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))),
					@ApiResponse(responseCode = "409",
							description = "Not cancellable: bookingStatus CALLED, NO_SHOW or REJECTED_*; or, for a patient not "
									+ "checked in, title Slot started (the slot has started; staff still may cancel)",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))) })
	Booking cancel(@PathVariable UUID id, @Parameter(hidden = true) Authentication caller) {
		Booking booking = this.desk.find(id).orElseThrow(() -> new NotFoundException("No booking " + id));
		Caller who = authorize(caller, booking.patientId(), "cancel", id);
		this.audit.record("cancel", "booking", id.toString(), "REQUESTED", null);
		if (!who.isStaff() && booking.status() == BookingStatus.CONFIRMED && booking.startsAt() != null
				&& !booking.startsAt().isAfter(this.desk.now())) {
			// too late to cancel: a patient who did not come is a no-show, not a cancellation (and is not told
			// "cancelled" about an appointment already begun); staff still may. One who checked in and waits may
			// still leave the queue: they came, and their place goes to the next
			throw conflict("Slot started", "Booking " + id + " is for a slot that started at " + booking.startsAt()
					+ "; it can no longer be cancelled by the patient.", booking.status());
		}
		StatusChange change = this.desk.cancel(id, null,
				who.isStaff() ? "Cancelled by staff." : "Cancelled by the patient.", this.desk.now(), false);
		return switch (change.outcome()) {
			case CHANGED, ALREADY -> change.booking();
			case UNKNOWN -> throw new NotFoundException("No booking " + id);
			case NOT_ALLOWED -> throw conflict("Not cancellable",
					"Booking " + id + " is " + change.booking().status() + " and cannot be cancelled.",
					change.booking().status());
		};
	}

	private static ErrorResponseException conflict(String title, String detail, BookingStatus status) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
		problem.setTitle(title);
		problem.setProperty("bookingStatus", status.name());
		return new ErrorResponseException(HttpStatus.CONFLICT, problem, null);
	}

}
