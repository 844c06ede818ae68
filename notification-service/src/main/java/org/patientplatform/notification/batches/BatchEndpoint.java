package org.patientplatform.notification.batches;

import java.net.URI;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.Page;
import org.patientplatform.kit.web.ReportedOn;
import org.patientplatform.notification.PatientIds;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.notification.delivery.SchedulingHorizon;
import org.patientplatform.notification.templates.MessageTemplates;
import org.patientplatform.notification.templates.MissingParametersException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

@RestController
@RequestMapping("/api/v1/notifications/batches")
@ConditionalOnRole("app")
@Tag(name = "Batches", description = "One message to a list or a segment of patients, with progress and cancel")
@SecurityRequirement(name = "bearer")
class BatchEndpoint {

	private final Batches batches;

	private final BatchesProperties properties;

	private final AuditLog audit;

	private final MessageTemplates templates;

	private final Clock clock = Clock.systemUTC();

	private final SchedulingHorizon horizon;

	BatchEndpoint(Batches batches, BatchesProperties properties, AuditLog audit, MessageTemplates templates,
			SchedulingHorizon horizon) {
		this.horizon = horizon;
		this.batches = batches;
		this.properties = properties;
		this.audit = audit;
		this.templates = templates;
	}

	@PostMapping
	@PreAuthorize("hasAnyRole('staff', 'service')")
	@Operation(summary = "Send one message to a list or a segment of patients",
			description = "The type must have templates. Either patientIds (each notified once) or segment (every patient with a known contact, "
					+ "optionally only those with the language and/or reachable on the channel). The recipients are "
					+ "fixed now; the wrk--batch-publisher worker creates one notification per patient. Answers 202 "
					+ "with the batch; follow its progress at the Location.",
			responses = @ApiResponse(responseCode = "202", description = "Accepted: the batch, at its Location"))
	ResponseEntity<NotificationBatch> create(@Valid @RequestBody SendBatch request, Authentication caller) {
		if (request.patientIds() != null && request.patientIds().size() > this.properties.maxPatients()) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"A batch names at most " + this.properties.maxPatients() + " patients");
		}
		if (Arrays.stream(Channel.values()).noneMatch((channel) -> this.templates.exists(request.type(), channel))) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "No templates for type " + request.type());
		}
		try {
			this.templates.requireParameters(request.type(), request.parameters());
		}
		catch (MissingParametersException ex) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, ex.getMessage());
		}
		String tooFar = this.horizon.refusal(request.notBefore());
		if (tooFar != null) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, tooFar);
		}
		Instant now = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
		Batches.BatchContent content = new Batches.BatchContent(request.type(),
				(request.priority() != null) ? request.priority() : Priority.NORMAL, request.parameters(),
				request.notBefore());
		NotificationBatch batch;
		if (request.patientIds() != null) {
			batch = this.batches.createForList(content, request.patientIds(), caller.getName(), now);
		}
		else {
			Segment segment = (request.segment() != null) ? request.segment() : new Segment(null, null);
			batch = this.batches.createForSegment(content, segment.language(), segment.channel(), caller.getName(),
					now);
		}
		this.audit.record("notification.batch.create", "notification-batch", batch.id().toString(), "accepted",
				batch.total() + " recipients, type " + batch.type());
		return ResponseEntity.accepted()
			.location(URI.create("/api/v1/notifications/batches/" + batch.id()))
			.body(batch);
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasAnyRole('staff', 'service')")
	@Operation(summary = "A batch and its progress: total, created, skipped, state")
	NotificationBatch get(@PathVariable UUID id) {
		return this.batches.find(id).orElseThrow(() -> new NotFoundException("No batch " + id));
	}

	@GetMapping
	@PreAuthorize("hasAnyRole('staff', 'service')")
	@Operation(summary = "The batches, newest first",
			description = "Keyset pagination: pass the page's nextCursor as cursor; null on the last page.")
	Page<NotificationBatch> list(
			@Parameter(description = "The nextCursor of the previous page") @RequestParam(
					required = false) @Nullable String cursor,
			@Parameter(description = "Page size, 1 to 200 (50 by default)") @RequestParam(
					required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit) {
		int size = Page.limit(limit);
		List<NotificationBatch> rows;
		if (cursor != null && !cursor.isBlank()) {
			List<String> after = Page.decode(cursor, 2);
			try {
				rows = this.batches.page(Instant.parse(after.get(0)), UUID.fromString(after.get(1)), size);
			}
			catch (DateTimeException | IllegalArgumentException ex) {
				throw new Page.InvalidCursorException();
			}
		}
		else {
			rows = this.batches.page(null, null, size);
		}
		return Page.of(rows, size, NotificationBatch::sortKey);
	}

	@PostMapping("/{id}/cancel")
	@PreAuthorize("hasAnyRole('staff', 'service')")
	@Operation(summary = "Cancel a batch",
			description = "No notification is created after this answers; the batch's deliveries not yet sent are "
					+ "cancelled by its job, and its notifications still waiting for a contact end. A completed batch "
					+ "can be cancelled too: what it scheduled for later, or what is still queued, is not sent; what "
					+ "went out stays sent. 409 when the batch was cancelled already.",
			responses = { @ApiResponse(responseCode = "200", description = "The batch, cancelled"),
					@ApiResponse(responseCode = "404", description = "No such batch", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem"))),
					@ApiResponse(responseCode = "409", description = "The batch was cancelled already", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem"))) })
	NotificationBatch cancel(@PathVariable UUID id, Authentication caller) {
		NotificationBatch batch = this.batches.cancel(id, caller.getName(),
				this.clock.instant().truncatedTo(ChronoUnit.MICROS));
		this.audit.record("notification.batch.cancel", "notification-batch", id.toString(), "cancelled",
				batch.created() + " of " + batch.total() + " created");
		return batch;
	}

	/**
	 * A batch to send.
	 *
	 * @param type the notification type; picks the templates
	 * @param parameters template parameters, the same for every patient
	 * @param priority NORMAL when absent; urgent ones ignore quiet hours
	 * @param notBefore not to be sent before this time, when set
	 * @param patientIds the patients, when sending to a list
	 * @param segment the segment, when sending to a segment
	 */
	record SendBatch(@NotBlank @Size(max = 100) @Pattern(regexp = "[a-z0-9][a-z0-9-]*") String type,
			@NotNull @Size(max = 50) Map<String, @Size(max = 2000) String> parameters, @Nullable Priority priority,
			@Nullable Instant notBefore,
			// the upper bound is the configured maxPatients, checked with its own message; an empty list was told
			// "size must be between 1 and 2147483647"
			@Nullable @Size(min = 1, message = "must name at least one patient") List<@NotBlank @Size(
					max = 100) String> patientIds,
			@Nullable @Valid Segment segment) {

		/** The patient ids as stored ({@link PatientIds}): a UUID in upper case is the same patient, named once. */
		SendBatch {
			if (patientIds != null) {
				List<@Nullable String> canonical = new ArrayList<>(patientIds.size());
				patientIds.forEach((id) -> canonical.add(PatientIds.canonicalOrNull(id)));
				patientIds = Collections.unmodifiableList(canonical);
			}
		}

		/** Neither a list nor a segment: whom to send to was not said (it was told "not both"). */
		@ReportedOn("patientIds")
		@AssertTrue(message = "give patientIds or segment (an empty segment is every patient with a known contact)")
		boolean isSelectionGiven() {
			return this.patientIds != null || this.segment != null;
		}

		@ReportedOn("patientIds")
		@AssertTrue(message = "give either patientIds or segment, not both")
		boolean isNotBothSelections() {
			return this.patientIds == null || this.segment == null;
		}

	}

	/**
	 * Every patient with a known contact, narrowed by the filters given.
	 *
	 * @param language a language tag; its primary subtag must match the patient's
	 * @param channel only patients opted in to this channel with an address (a device
	 * token for push)
	 */
	record Segment(@Nullable @Size(max = 35) @Pattern(regexp = "[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*") String language,
			@Nullable Channel channel) {
	}

}
