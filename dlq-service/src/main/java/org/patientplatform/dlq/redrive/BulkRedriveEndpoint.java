package org.patientplatform.dlq.redrive;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
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
import org.patientplatform.dlq.capture.NotOwnTopic;
import org.patientplatform.dlq.capture.AuditOutcome;
import org.patientplatform.dlq.capture.OperatorReason;
import org.patientplatform.dlq.capture.TopicNames;
import org.patientplatform.dlq.search.EntryFilter;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.Page;
import org.patientplatform.kit.web.ReportedOn;
import org.patientplatform.kit.web.TimeCursor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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

@RestController
@RequestMapping("/api/v1/dlq/redrives")
@ConditionalOnRole("app")
@Tag(name = "Bulk redrive",
		description = "Redrive many entries by filter or id list, rate limited, with progress, pause, resume and cancel")
@SecurityRequirement(name = "bearer")
class BulkRedriveEndpoint {

	private static final String WHY = "The body gives the reason, required: the audit log keeps who and why.";

	private final BulkRedrives bulks;

	private final RedriveProperties properties;

	private final AuditLog audit;

	private final JsonMapper json;

	private final TargetTopics targets;

	BulkRedriveEndpoint(BulkRedrives bulks, RedriveProperties properties, AuditLog audit, JsonMapper json,
			TargetTopics targets) {
		this.bulks = bulks;
		this.properties = properties;
		this.audit = audit;
		this.json = json;
		this.targets = targets;
	}

	@PostMapping
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Start a bulk redrive, or count what it would send (dryRun)",
			description = "Selects by filter or by id list (discarded entries and entries in flight never; resolved "
					+ "ones only when the filter names that status). The selection is fixed when the job is "
					+ "created; each entry is sent at most once per job, at most ratePerSecond per second, or as "
					+ "fast as the broker takes them with unthrottled. Answers 202 with the job; follow it at the "
					+ "Location. For an id list, notSelected (in the dry run, and in the job's selection) lists the "
					+ "ids it does not send, and why; for an entry with a redrive in flight, inFlightUntil says when "
					+ "that redrive is settled at the latest, after which a bulk redrive may select it. The reason is required (the audit log keeps who and why). "
					+ "Supports Idempotency-Key.")
	@ApiResponse(responseCode = "202", description = "The job, created; its progress is at the Location",
			headers = @Header(name = "Location", description = "/api/v1/dlq/redrives/{id}",
					schema = @Schema(type = "string", format = "uri-reference")),
			content = @Content(schema = @Schema(implementation = BulkView.class)))
	@ApiResponse(responseCode = "200", description = "The dry run's count (dryRun: true); nothing is sent",
			content = @Content(schema = @Schema(implementation = DryRun.class)))
	ResponseEntity<?> create(@Valid @RequestBody RedriveEntries request, Authentication caller) {
		boolean dryRun = Boolean.TRUE.equals(request.dryRun());
		String action = dryRun ? "dlq.bulk-redrive.dry-run" : "dlq.bulk-redrive.create";
		String reason = (request.targetTopic() != null) ? "to " + request.targetTopic() + ": " + request.reason()
				: request.reason();
		List<UUID> ids = request.selectedIds();
		try {
			this.targets.requireExisting(request.targetTopic());
			if (dryRun) {
				long count = this.bulks.count(request.filter(), ids);
				this.audit.record(action, "dlq-bulk-redrive", null, AuditOutcome.SUCCEEDED, reason);
				return ResponseEntity.ok(new DryRun(true, count, (ids != null) ? this.bulks.notSelected(ids) : null));
			}
			int rate = Boolean.TRUE.equals(request.unthrottled()) ? 0
					: (request.ratePerSecond() != null) ? request.ratePerSecond()
							: this.properties.defaultRatePerSecond();
			BulkRedrives.BulkRedrive bulk = this.bulks.create(request.filter(), ids, rate, request.targetTopic(),
					caller.getName(), request.reason());
			// the outcome is one of the audit's fixed words (the job's view holds its count)
			this.audit.record(action, "dlq-bulk-redrive", bulk.id().toString(), AuditOutcome.SUCCEEDED, reason);
			return ResponseEntity.accepted()
				.location(URI.create("/api/v1/dlq/redrives/" + bulk.id()))
				.body(jobView(bulk));
		}
		catch (RuntimeException ex) {
			// a target topic the broker does not have, or could not say it has, is FAILED (ADR 0015, amended)
			this.audit.record(action, "dlq-bulk-redrive", null,
					(ex instanceof BrokerRefusal) ? AuditOutcome.FAILED : AuditOutcome.REJECTED, reason);
			throw ex;
		}
	}

	@GetMapping
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Bulk redrives, newest first",
			description = "Keyset pagination: pass the response's nextCursor as cursor for the next page (no "
					+ "nextCursor: last page). status keeps only the jobs in that state.")
	Page<BulkView> list(
			@Parameter(description = "RUNNING, PAUSED, CANCELLED or COMPLETED") @RequestParam(
					required = false) @Nullable @Pattern(regexp = "RUNNING|PAUSED|CANCELLED|COMPLETED",
							message = "must be RUNNING, PAUSED, CANCELLED or COMPLETED") String status,
			@Parameter(description = "nextCursor of the previous page") @RequestParam(
					required = false) @Nullable String cursor,
			@Parameter(description = "Page size, default 50, at most 200 (more is refused)") @RequestParam(
					required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit) {
		int size = Page.limit(limit);
		List<BulkView> fetched = this.bulks.recent(size + 1, TimeCursor.decodeOrFirst(cursor), status)
			.stream()
			.map(this::listed)
			.toList();
		return Page.of(fetched, size, (bulk) -> new TimeCursor(Objects.requireNonNull(bulk.createdAt()), bulk.id()).sortKey());
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "A bulk redrive's progress: total, sent, failed (and why), skipped (and why), pending, cancelled and status")
	BulkView get(@PathVariable UUID id) {
		return jobView(this.bulks.find(id).orElseThrow(() -> new NotFoundException("No bulk redrive " + id)));
	}

	@PostMapping("/{id}/pause")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Pause: no entry is sent after the chunk in progress", description = WHY)
	@ApiResponse(responseCode = "200", description = "The job, paused")
	@ApiResponse(responseCode = "409", description = "The job is not running",
			content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
	BulkView pause(@PathVariable UUID id, @Valid @RequestBody Because because) {
		return audited("dlq.bulk-redrive.pause", id, because, () -> this.bulks.pause(id));
	}

	@PostMapping("/{id}/resume")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Resume a paused bulk redrive where it stopped", description = WHY)
	@ApiResponse(responseCode = "200", description = "The job, running again")
	@ApiResponse(responseCode = "409", description = "The job is not paused",
			content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
	BulkView resume(@PathVariable UUID id, @Valid @RequestBody Because because) {
		return audited("dlq.bulk-redrive.resume", id, because, () -> this.bulks.resume(id));
	}

	@PostMapping("/{id}/cancel")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Cancel: no entry is sent after the chunk in progress; the rest stay as they are",
			description = WHY)
	@ApiResponse(responseCode = "200", description = "The job, cancelled")
	@ApiResponse(responseCode = "409", description = "The job is neither running nor paused",
			content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
	BulkView cancel(@PathVariable UUID id, @Valid @RequestBody Because because) {
		return audited("dlq.bulk-redrive.cancel", id, because, () -> this.bulks.cancel(id));
	}

	private BulkView audited(String action, UUID id, Because because, Supplier<BulkRedrives.BulkRedrive> work) {
		String reason = because.reason();
		BulkRedrives.BulkRedrive bulk;
		try {
			bulk = work.get();
		}
		catch (RuntimeException ex) {
			this.audit.record(action, "dlq-bulk-redrive", id.toString(), AuditOutcome.REJECTED, reason);
			throw ex;
		}
		this.audit.record(action, "dlq-bulk-redrive", id.toString(), AuditOutcome.SUCCEEDED, reason);
		return jobView(bulk);
	}

	/**
	 * One job's view, with why its failed entries failed: an empty map when none did (a job without failures had
	 * shown no {@code failures} at all, which a client could not tell from a view that leaves them out).
	 */
	private BulkView jobView(BulkRedrives.BulkRedrive bulk) {
		return view(bulk, Optional.of((bulk.failed() > 0) ? this.bulks.failureReasons(bulk.id()) : Map.of()),
				Optional.of((bulk.skipped() > 0) ? this.bulks.skipReasons(bulk.id()) : Map.of()));
	}

	/** A job as the list shows it: without the reasons of its failures, which take a query of each job's items. */
	private BulkView listed(BulkRedrives.BulkRedrive bulk) {
		return view(bulk, Optional.empty(), Optional.empty());
	}

	private BulkView view(BulkRedrives.BulkRedrive bulk, Optional<Map<String, Integer>> failures,
			Optional<Map<String, Integer>> skips) {
		return new BulkView(bulk.id(), bulk.status(), bulk.total(), bulk.sent(), bulk.failed(), bulk.skipped(),
				bulk.pending(), bulk.cancelled(), bulk.ratePerSecond(), bulk.targetTopic(), bulk.selectionJson(this.json),
				bulk.createdBy(), bulk.reason(), bulk.createdAt(), bulk.startedAt(), bulk.updatedAt(),
				bulk.finishedAt(), bulk.ratePerSecond() == 0, bulk.unconfirmed(), failures, skips);
	}

	/**
	 * A bulk redrive request.
	 *
	 * @param filter which entries, by filter (or give ids)
	 * @param ids which entries, by id (or give a filter)
	 * @param ratePerSecond the most records sent per second (default 100)
	 * @param dryRun only count the entries it would send
	 * @param targetTopic another topic to send to; only when given is the original topic not used
	 * @param reason why, required: the audit log keeps it (a dry run's too)
	 * @param unthrottled no rate limit: send as fast as the broker takes them (then give no ratePerSecond)
	 */
	record RedriveEntries(@Valid @Nullable EntryFilter filter, @Nullable @Size(max = 10_000) List<@NotNull UUID> ids,
			@Nullable @Min(1) @Max(5000) Integer ratePerSecond, @Nullable Boolean dryRun,
			@Nullable @Pattern(regexp = EntryRedriveEndpoint.TOPIC, message = TopicNames.RULE) @NotOwnTopic String targetTopic,
			@NotBlank @Size(max = 500)
				@Pattern(regexp = OperatorReason.TEXT, message = OperatorReason.RULE) String reason,
			@Schema(description = "No rate limit: send as fast as the broker takes them (give no ratePerSecond)")
			@Nullable Boolean unthrottled) {

		@ReportedOn("filter")
		@AssertTrue(message = "give exactly one of filter and ids")
		@Schema(hidden = true)
		boolean isSelectionGiven() {
			return (this.filter != null) != (this.ids != null && !this.ids.isEmpty());
		}

		/**
		 * The id list when it is the selection: none with a filter (an empty list may come with one, as a
		 * console that always sends {@code ids} sends it; the filter selects, and the job keeps the filter).
		 */
		@Nullable List<UUID> selectedIds() {
			return (this.filter != null) ? null : this.ids;
		}

		@ReportedOn("ratePerSecond")
		@AssertTrue(message = "give either ratePerSecond or unthrottled, not both")
		@Schema(hidden = true)
		boolean isRateUnambiguous() {
			return !Boolean.TRUE.equals(this.unthrottled) || this.ratePerSecond == null;
		}

	}

	/**
	 * What a bulk redrive would send now.
	 * @param dryRun always true
	 * @param count the entries it would send
	 * @param notSelected for an id list, the ids it would not send and why (none for a filter)
	 */
	record DryRun(boolean dryRun, long count, @Nullable List<BulkRedrives.NotSelected> notSelected) {
	}

	/** @param reason why, required: the audit log keeps it */
	record Because(@NotBlank @Size(max = 500)
			@Pattern(regexp = OperatorReason.TEXT, message = OperatorReason.RULE) String reason) {
	}

	/**
	 * @param pending entries not yet done (none once the job is cancelled)
	 * @param cancelled entries a cancelled job did not send and will not: total is sent, failed, skipped,
	 * pending and cancelled
	 * @param ratePerSecond the rate limit, 0 when unthrottled
	 * @param selection the filter or id list as asked; for an id list also {@code notSelected}, the ids it
	 * does not send and why ({@code no such entry}, {@code discarded}, {@code a redrive is in flight} with
	 * {@code inFlightUntil}, when that redrive is settled at the latest), as at the job's creation
	 * @param unthrottled sent without rate limit
	 * @param unconfirmed of failed, entries whose run stopped between sending and recording them: they may
	 * have gone out, so the job does not send them again
	 * @param failures why the failed entries failed, each reason with its count (the ten most frequent), an empty
	 * map when none failed; in every view of one job (its GET, and the answers of create, pause, resume and cancel),
	 * never null, and absent from the list's jobs
	 * @param skips why the skipped entries were skipped when their turn came (discarded, a redrive of them in flight,
	 * purged), each reason with its count, as {@code failures} is given: an operator saw a count and no reason
	 */
	record BulkView(UUID id, String status, int total, int sent, int failed, int skipped, int pending, int cancelled,
			int ratePerSecond, @Nullable String targetTopic, JsonNode selection, String createdBy,
			@Nullable String reason, @Nullable Instant createdAt, @Nullable Instant startedAt,
			@Nullable Instant updatedAt, @Nullable Instant finishedAt, boolean unthrottled, int unconfirmed,
			@Schema(description = "Why the failed entries failed: each reason with its count, the ten most frequent; "
					+ "{} when none failed. In every view of one job; absent from the list's jobs")
			@JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<Map<String, Integer>> failures,
			@Schema(description = "Why the skipped entries were skipped when their turn came (entry was DISCARDED, "
					+ "entry was RETRYING: a redrive of it in flight, entry gone): each reason with its count; {} when "
					+ "none was. In every view of one job; absent from the list's jobs")
			@JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<Map<String, Integer>> skips) {
	}

}
