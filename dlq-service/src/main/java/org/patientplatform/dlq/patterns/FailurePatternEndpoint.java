package org.patientplatform.dlq.patterns;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/dlq/patterns")
@ConditionalOnRole("app")
@Tag(name = "Failure patterns", description = "Entries grouped by failure fingerprint")
@SecurityRequirement(name = "bearer")
class FailurePatternEndpoint {

	private final FailurePatterns patterns;

	private final Duration defaultWindow;

	FailurePatternEndpoint(FailurePatterns patterns,
			@Value("${dlq.patterns.default-window:PT1H}") Duration defaultWindow) {
		this.patterns = patterns;
		this.defaultWindow = defaultWindow;
	}

	@GetMapping
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Failure patterns, the most entries first",
			description = "Per fingerprint: entry count, first and last seen, topics and services affected, and "
					+ "a sample entry id to open, over the entries that failed since `since`: the last hour unless "
					+ "given (dlq.patterns.default-window), so the view stays fast at a million entries; give an "
					+ "earlier `since` to look further back. The `limit` patterns with the most entries, most first "
					+ "(then the most recently seen), unless `sort=lastSeen`: the most recently seen first (then the "
					+ "most entries). Search entries of one pattern with ?fingerprint=.")
	List<FailurePatterns.Pattern> list(
			@Parameter(description = "Only entries not resolved or discarded (default true)") @RequestParam(
					defaultValue = "true") boolean unresolvedOnly,
			@Parameter(description = "Only entries that failed at or after this instant (default: an hour ago)") @RequestParam(
					required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant since,
			@Parameter(description = "At most this many patterns (default 100)") @RequestParam(
					defaultValue = "100") @Min(1) @Max(500) int limit,
			@Parameter(description = "entries (default): the most entries first, then the most recently seen; "
					+ "lastSeen: the most recently seen first, then the most entries. The limit keeps the first.",
					schema = @Schema(allowableValues = { "entries", "lastSeen" }, defaultValue = "entries")) @RequestParam(
							defaultValue = "entries") @Pattern(regexp = FailurePatterns.Order.NAMES,
									message = FailurePatterns.Order.RULE) String sort) {
		Instant from = (since != null) ? since : Instant.now().minus(this.defaultWindow);
		return this.patterns.find(unresolvedOnly, from, limit, FailurePatterns.Order.of(sort));
	}

}
