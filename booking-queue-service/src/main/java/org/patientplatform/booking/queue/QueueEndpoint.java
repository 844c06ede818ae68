package org.patientplatform.booking.queue;

import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;
import org.patientplatform.booking.bookings.Booking;
import org.patientplatform.booking.bookings.BookingDesk;
import org.patientplatform.booking.bookings.Caller;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.security.PlatformSecurityProperties;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.Page;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@ConditionalOnRole("app")
@Tag(name = "Queue", description = "Checked-in patients of a site waiting to be called, in order of check-in")
@SecurityRequirement(name = "bearer")
class QueueEndpoint {

	private final Queues queues;

	private final BookingDesk desk;

	private final PlatformSecurityProperties security;

	private final AuditLog audit;

	QueueEndpoint(Queues queues, BookingDesk desk, PlatformSecurityProperties security, AuditLog audit) {
		this.queues = queues;
		this.desk = desk;
		this.security = security;
		this.audit = audit;
	}

	@GetMapping("/api/v1/sites/{siteId}/queue")
	@PreAuthorize("hasRole('staff')")
	@Operation(summary = "The site's queue, next to be called first",
			description = "Keyset pagination in queue order (check-in time, then arrival): pass the page's "
					+ "nextCursor as cursor; null on the last page. Each position is the booking's place in the "
					+ "whole queue when its page is read.")
	Page<QueuePosition> queue(@PathVariable @Pattern(regexp = "[A-Za-z0-9._-]{1,64}") String siteId,
			@Parameter(description = "The nextCursor of the previous page") @RequestParam(
					required = false) @Nullable String cursor,
			@Parameter(description = "Page size, 1 to 200 (50 by default); more is refused") @RequestParam(
					required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit) {
		int size = Page.limit(limit);
		Page<Queues.Waiting> page = Page.of(this.queues.waiting(siteId, QueueCursor.decodeOrFirst(cursor), size),
				size, (waiting) -> waiting.cursor().sortKey());
		this.audit.record("read", "queue", siteId, "OK", null);
		return new Page<>(page.items().stream().map(Queues.Waiting::position).toList(), page.nextCursor());
	}

	@GetMapping("/api/v1/bookings/{id}/queue-position")
	@PreAuthorize("hasAnyRole('patient', 'staff')")
	@Operation(summary = "Where a checked-in booking stands in its site's queue",
			description = "Staff, or the patient who holds the booking; 404 when the booking is not waiting.")
	QueuePosition position(@PathVariable UUID id, @Parameter(hidden = true) Authentication caller) {
		Booking booking = this.desk.find(id).orElseThrow(() -> new NotFoundException("No booking " + id));
		Caller who = Caller.of(caller, this.security, this.desk::survivorOf);
		if (!who.mayActFor(booking.patientId())) {
			this.audit.record("read-queue-position", "booking", id.toString(), "DENIED", null);
		}
		who.requireActingFor(booking.patientId());
		this.audit.record("read-queue-position", "booking", id.toString(), "OK", null);
		return this.queues.positionOf(id)
			.orElseThrow(() -> new NotFoundException("Booking " + id + " is not waiting in a queue"));
	}

}
