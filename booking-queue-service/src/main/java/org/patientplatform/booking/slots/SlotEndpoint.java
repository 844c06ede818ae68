package org.patientplatform.booking.slots;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.Page;
import org.patientplatform.kit.web.TimeCursor;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

@RestController
@RequestMapping("/api/v1/sites/{siteId}/slots")
@ConditionalOnRole("app")
@Tag(name = "Slots", description = "A site's slots and their free places")
@SecurityRequirement(name = "bearer")
class SlotEndpoint {

	static final String SITE_ID = "[A-Za-z0-9._-]{1,64}";

	private static final Duration DEFAULT_WINDOW = Duration.ofDays(14);

	private static final Duration MAX_WINDOW = Duration.ofDays(92);

	private final Slots slots;

	private final Clock clock = Clock.systemUTC();

	SlotEndpoint(Slots slots) {
		this.slots = slots;
	}

	@PostMapping
	@PreAuthorize("hasRole('staff')")
	@Operation(summary = "Create slots at a site (all or none); 409 when the site has a slot at one of the times",
			responses = {
					@ApiResponse(responseCode = "201", description = "Created: the slots",
							headers = @Header(name = "Location",
									description = "/api/v1/sites/{siteId}/slots?from=…&to=…: the site's slots listed "
											+ "from the first created slot's start to just after the last (there is "
											+ "no slot by id); a window of at most 92 days, the listing's longest, "
											+ "so slots of a request spanning more start past it",
									schema = @Schema(type = "string", format = "uri-reference")),
							content = @Content(mediaType = "application/json",
									array = @ArraySchema(schema = @Schema(implementation = Slot.class)))),
					@ApiResponse(responseCode = "400",
							description = "Invalid request, or two slots of it at one time (problem+json)",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))),
					@ApiResponse(responseCode = "409",
							description = "The site has a slot at one of the times; none was created. Or the first "
									+ "request with this Idempotency-Key is still in progress (send it again after the "
									+ "Retry-After seconds)",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))) })
	ResponseEntity<List<Slot>> create(@PathVariable @Pattern(regexp = SITE_ID) String siteId,
			@Valid @RequestBody CreateSlots body) {
		int[] same = body.sameTime();
		if (same != null) {
			// the site has no slot there yet: the request itself asks for two (not a conflict with stored state)
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
					"slots[%d] and slots[%d] both start at %s; a site has one slot per time. No slot was created."
						.formatted(same[0], same[1], body.slots().get(same[0]).startsAt()));
			problem.setTitle("Two slots at one time");
			throw new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
		}
		List<Slot> created;
		try {
			created = this.slots.create(siteId, body.slots());
		}
		catch (DuplicateKeyException ex) {
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
					"Site " + siteId + " already has a slot at one of these times; no slot was created.");
			problem.setTitle("Slot exists");
			throw new ErrorResponseException(HttpStatus.CONFLICT, problem, ex);
		}
		return ResponseEntity.created(listing(siteId, created)).body(created);
	}

	/**
	 * Where the created slots are read: there is no slot by id, so the site's listing from the first one's start to
	 * just after the last (stored to the microsecond: {@code to} is exclusive), at most {@link #MAX_WINDOW} long.
	 */
	private static URI listing(String siteId, List<Slot> created) {
		Instant first = created.stream().map(Slot::startsAt).min(Instant::compareTo).orElseThrow();
		Instant last = created.stream().map(Slot::startsAt).max(Instant::compareTo).orElseThrow();
		Instant to = last.plus(1, ChronoUnit.MICROS);
		if (Duration.between(first, to).compareTo(MAX_WINDOW) > 0) {
			to = first.plus(MAX_WINDOW);
		}
		return UriComponentsBuilder.fromPath("/api/v1/sites/{siteId}/slots")
			.queryParam("from", first)
			.queryParam("to", to)
			.buildAndExpand(siteId)
			.encode()
			.toUri();
	}

	@GetMapping
	@PreAuthorize("isAuthenticated()")
	@Operation(summary = "The site's slots starting in [from, to) with their free places, earliest first",
			description = "from defaults to now, to to 14 days after from; the window is at most 92 days. Keyset "
					+ "pagination in (start, id) order: pass the page's nextCursor as cursor, with the same from "
					+ "and to; null on the last page. A slot that has started is listed with available 0: it takes no "
					+ "booking. from and to are read as written: hour 24 and a leap second (23:59:60) are refused.")
	Page<SlotAvailability> availability(@PathVariable @Pattern(regexp = SITE_ID) String siteId,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant from,
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant to,
			@Parameter(description = "The nextCursor of the previous page") @RequestParam(
					required = false) @Nullable String cursor,
			@Parameter(description = "Page size, 1 to 200 (50 by default); more is refused") @RequestParam(
					required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit) {
		Instant start = (from != null) ? from : this.clock.instant();
		Instant end = (to != null) ? to : start.plus(DEFAULT_WINDOW);
		if (!end.isAfter(start) || Duration.between(start, end).compareTo(MAX_WINDOW) > 0) {
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
					"to must be after from, and the window at most " + MAX_WINDOW.toDays() + " days.");
			problem.setTitle("Invalid time window");
			throw new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
		}
		int size = Page.limit(limit);
		return Page.of(this.slots.availability(siteId, start, end, TimeCursor.decodeOrFirst(cursor), size,
				this.clock.instant()), size,
				(slot) -> new TimeCursor(slot.startsAt(), slot.id()).sortKey());
	}

}
