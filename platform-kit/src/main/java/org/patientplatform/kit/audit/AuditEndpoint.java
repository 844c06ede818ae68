package org.patientplatform.kit.audit;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.Page;
import org.springdoc.core.annotations.ParameterObject;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ops read the audit log: who did what to which resource, when, with what outcome and why. The log holds ids,
 * never PHI, so reading it reveals none; it is append-only, and reading it is not itself audited.
 */
@RestController
@RequestMapping("/api/v1/ops/audit")
@Tag(name = "Audit log (ops)")
@SecurityRequirement(name = "bearer")
public class AuditEndpoint {

	private final AuditTrail trail;

	public AuditEndpoint(AuditTrail trail) {
		this.trail = trail;
	}

	@GetMapping
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Audit records, newest first; keyset pages (pass nextCursor back as cursor)",
			description = "Every given criterion must match exactly (the outcome in any case). Who revealed a dead letter's payload: "
					+ "resourceType=dlq-entry&resourceId=<id>&action=dlq.payload.reveal; what one operator did: "
					+ "actor=<subject>; requests refused for the caller's role: action=access.denied.")
	public Page<AuditRecord> find(@Valid @ParameterObject AuditQuery query,
			@Parameter(description = "nextCursor of the previous page") @RequestParam(
					required = false) @Nullable @Size(max = 200) String cursor,
			@Parameter(description = "Page size, default 50, at most 200 (more is refused)") @RequestParam(
					required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit) {
		return this.trail.find(query, cursor, Page.limit(limit));
	}

}
