package org.patientplatform.dlq.search;

import java.util.Optional;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.extensions.Extension;
import io.swagger.v3.oas.annotations.extensions.ExtensionProperty;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.capture.DeadLetterPayloads;
import org.patientplatform.dlq.capture.AuditOutcome;
import org.patientplatform.dlq.capture.OperatorReason;
import org.patientplatform.dlq.capture.UnreadablePayloadException;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.ConflictException;
import org.patientplatform.kit.web.IdempotencyKeyFilter;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.Page;
import org.patientplatform.kit.web.ProblemResponsesDocumented;
import org.springdoc.core.annotations.ParameterObject;

import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

@RestController
@RequestMapping("/api/v1/dlq/messages")
@ConditionalOnRole("app")
@Tag(name = "Dead letters")
@SecurityRequirement(name = "bearer")
class DeadLetterSearchEndpoint {

	private final EntrySearch search;

	private final DeadLetterPayloads payloads;

	private final AuditLog audit;

	DeadLetterSearchEndpoint(EntrySearch search, DeadLetterPayloads payloads, AuditLog audit) {
		this.search = search;
		this.payloads = payloads;
		this.audit = audit;
	}

	@GetMapping
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Search entries, newest failure first",
			description = "Every given filter must match. Keyset pagination: pass the response's nextCursor as "
					+ "cursor for the next page (no nextCursor: last page). Payloads are never listed. The order is "
					+ "the last failure's, and a walk of the pages is not a snapshot: an entry that fails again "
					+ "during the walk moves above the cursor and is not on a later page (none is listed twice). "
					+ "To find them, note when the walk began and search again with from set to it (every entry "
					+ "that failed since), or start the walk again. With a status criterion, an entry that takes "
					+ "the status after the walk passed its place is not listed either. A bulk redrive by filter "
					+ "is not walked: it selects every matching entry at once.")
	Page<EntrySearch.EntrySummary> search(@Valid @ParameterObject EntryFilter filter,
			@Parameter(description = "nextCursor of the previous page") @RequestParam(
					required = false) @Nullable String cursor,
			@Parameter(description = "Page size, default 50, at most 200 (more is refused)") @RequestParam(
					required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit) {
		return this.search.search(filter, cursor, Page.limit(limit));
	}

	@GetMapping("/facets")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Entry counts per status, source service, topic and error class for the same filters",
			description = "Without from and to, only entries whose last failure is within the default window "
					+ "(dlq.search.facets-window, one hour unless configured) are counted, and the answer says so "
					+ "(defaultWindow, from). Give from (and to) to count another range: the cost grows with the "
					+ "entries in it (counting a million takes most of a second).")
	EntrySearch.Facets facets(@Valid @ParameterObject EntryFilter filter) {
		return this.search.facets(filter);
	}

	@PostMapping("/{id}/reveal")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Reveal an entry's payload (and its edited version), decrypted",
			description = "The payload may hold PHI: every reveal is audited with who and the reason given. "
					+ "Idempotency-Key is refused here, so a payload is never kept outside its encrypted column.",
			extensions = @Extension(properties = @ExtensionProperty(
					name = ProblemResponsesDocumented.IDEMPOTENCY_KEY_EXTENSION, value = "refused")))
	@ApiResponse(responseCode = "200", description = "The payload, decrypted")
	@ApiResponse(responseCode = "409", description = "The payload cannot be decrypted: its key id is no longer configured, or the bytes do not match it",
			content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
	DeadLetterPayloads.RevealedPayload reveal(@PathVariable UUID id, @Valid @RequestBody RevealRequest request,
			HttpServletRequest http) {
		if (http.getHeader(IdempotencyKeyFilter.HEADER) != null) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"A reveal cannot carry " + IdempotencyKeyFilter.HEADER + ": its response is never stored.");
		}
		Optional<DeadLetterPayloads.RevealedPayload> revealed;
		try {
			revealed = this.payloads.reveal(id);
		}
		catch (UnreadablePayloadException ex) {
			this.audit.record("dlq.payload.reveal", "dlq-entry", id.toString(), AuditOutcome.UNREADABLE,
					request.reason());
			throw new ConflictException("Entry " + id + " cannot be revealed: " + ex.getMessage());
		}
		this.audit.record("dlq.payload.reveal", "dlq-entry", id.toString(),
				revealed.isPresent() ? AuditOutcome.SUCCEEDED : AuditOutcome.REJECTED, request.reason());
		return revealed.orElseThrow(() -> new NotFoundException("No dead-letter entry " + id));
	}

	/** @param reason why the operator needs to see the payload, kept in the audit log */
	record RevealRequest(@NotBlank @Size(max = 500)
			@Pattern(regexp = OperatorReason.TEXT, message = OperatorReason.RULE) String reason) {
	}

}
