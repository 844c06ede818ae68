package org.patientplatform.notification.housekeeping;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

@RestController
@RequestMapping("/api/v1/notifications/reports/daily")
@ConditionalOnRole("app")
@Tag(name = "Delivery reports",
		description = "Deliveries per type, channel and state, and the delivery rate, of each UTC day, built at 00:10")
@SecurityRequirement(name = "bearer")
class DeliveryReportEndpoint {

	static final MediaType CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);

	private final DeliveryReports reports;

	private final AuditLog audit;

	private final Clock clock = Clock.systemUTC();

	DeliveryReportEndpoint(DeliveryReports reports, AuditLog audit) {
		this.reports = reports;
		this.audit = audit;
	}

	@GetMapping
	@PreAuthorize("hasAnyRole('staff', 'ops')")
	@Operation(summary = "The latest day's report",
			description = "JSON, or CSV with format=csv or Accept: text/csv. 404 until a report was built.")
	@ApiResponse(responseCode = "200", description = "The report: JSON, or CSV",
			content = { @Content(mediaType = "application/json",
					schema = @Schema(implementation = DeliveryReport.class)),
					@Content(mediaType = "text/csv", schema = @Schema(type = "string")) })
	@ApiResponse(responseCode = "404", description = "No report yet: none was built",
			content = @Content(mediaType = "application/problem+json",
					schema = @Schema(ref = "#/components/schemas/Problem")))
	ResponseEntity<?> latest(
			@Parameter(description = "json (the default) or csv, in any case") @RequestParam(required = false) @Nullable @Pattern(
					regexp = "(?i)json|csv", message = "must be json or csv") String format,
			@RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept)
			throws HttpMediaTypeNotAcceptableException {
		DeliveryReport report = this.reports.latest().orElseThrow(() -> new NotFoundException("No report yet"));
		return answer(report, format, accept);
	}

	@GetMapping("/{day}")
	@PreAuthorize("hasAnyRole('staff', 'ops')")
	@Operation(summary = "A UTC day's report",
			description = "JSON, or CSV with format=csv or Accept: text/csv (a header, a line per type and channel, "
					+ "the total as *,*).")
	@ApiResponse(responseCode = "200", description = "The report: JSON, or CSV",
			content = { @Content(mediaType = "application/json",
					schema = @Schema(implementation = DeliveryReport.class)),
					@Content(mediaType = "text/csv", schema = @Schema(type = "string")) })
	ResponseEntity<?> get(@PathVariable @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate day,
			@Parameter(description = "json (the default) or csv, in any case") @RequestParam(required = false) @Nullable @Pattern(
					regexp = "(?i)json|csv", message = "must be json or csv") String format,
			@RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept)
			throws HttpMediaTypeNotAcceptableException {
		DeliveryReport report = this.reports.find(day).orElseThrow(() -> new NotFoundException("No report for " + day));
		return answer(report, format, accept);
	}

	@PostMapping("/{day}/build")
	@PreAuthorize("hasAnyRole('staff', 'ops')")
	@Operation(summary = "Build (or rebuild) a day's report now; for today, the day so far")
	DeliveryReport build(@PathVariable @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate day) {
		if (day.isAfter(LocalDate.now(this.clock.withZone(ZoneOffset.UTC)))) {
			// a request for what cannot be, not a resource missing (the DLQ's report build answers the same)
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "No report can be built for a day still to come: "
					+ day);
		}
		DeliveryReport report = this.reports.build(day, this.clock.instant().truncatedTo(ChronoUnit.MICROS));
		this.audit.record("notification.report.build", "notification-daily-report", day.toString(), "built", null);
		return report;
	}

	private static ResponseEntity<?> answer(DeliveryReport report, @Nullable String format, @Nullable String accept)
			throws HttpMediaTypeNotAcceptableException {
		if ((format == null || format.isBlank()) && !acceptsJsonOrCsv(accept)) {
			// before: answered in JSON whatever the Accept header asked for
			throw new HttpMediaTypeNotAcceptableException(List.of(MediaType.APPLICATION_JSON, CSV));
		}
		if (wantsCsv(format, accept)) {
			return ResponseEntity.ok()
				.contentType(CSV)
				.header(HttpHeaders.CONTENT_DISPOSITION,
						"attachment; filename=\"notification-report-" + report.day() + ".csv\"")
				.body(report.toCsv());
		}
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(report);
	}

	/** Whether the Accept header, when there is one, takes JSON or CSV (a wildcard takes either). */
	static boolean acceptsJsonOrCsv(@Nullable String accept) {
		if (accept == null || accept.isBlank()) {
			return true;
		}
		return MediaType.parseMediaTypes(accept)
			.stream()
			.anyMatch((type) -> type.getQualityValue() > 0
					&& (type.isCompatibleWith(MediaType.APPLICATION_JSON) || type.isCompatibleWith(CSV)));
	}

	/**
	 * CSV when {@code format=csv}, or when the Accept header names text/csv with a higher
	 * quality than application/json (wildcards count for neither).
	 */
	static boolean wantsCsv(@Nullable String format, @Nullable String accept) {
		if (format != null && !format.isBlank()) {
			return "csv".equalsIgnoreCase(format.strip());
		}
		if (accept == null || accept.isBlank()) {
			return false;
		}
		double csv = 0;
		double json = 0;
		for (MediaType type : MediaType.parseMediaTypes(accept)) {
			if (type.isWildcardType() || type.isWildcardSubtype()) {
				continue;
			}
			if (type.isCompatibleWith(CSV)) {
				csv = Math.max(csv, type.getQualityValue());
			}
			else if (type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
				json = Math.max(json, type.getQualityValue());
			}
		}
		return csv > json;
	}

}
