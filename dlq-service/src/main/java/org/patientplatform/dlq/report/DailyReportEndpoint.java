package org.patientplatform.dlq.report;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.patientplatform.dlq.capture.AuditOutcome;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.TimeRangeModule;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

@RestController
@RequestMapping("/api/v1/dlq/reports")
@ConditionalOnRole("app")
@Tag(name = "Daily reports", description = "One report per UTC day, built just after midnight")
@SecurityRequirement(name = "bearer")
class DailyReportEndpoint {

	private final DailyReports reports;

	private final AuditLog audit;

	DailyReportEndpoint(DailyReports reports, AuditLog audit) {
		this.reports = reports;
		this.audit = audit;
	}

	@GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "The days with a report, newest first (at most 90)")
	List<LocalDate> days() {
		return this.reports.days(90);
	}

	// a day has no dot: the CSV's address asked for as JSON is the CSV's 406, not this one's 400 for "2026-12-07.csv"
	@GetMapping(path = "/{day:[^.]*}", produces = MediaType.APPLICATION_JSON_VALUE)
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "A day's report as JSON")
	DailyReport get(@PathVariable @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate day) {
		return this.reports.find(inRange(day)).orElseThrow(() -> new NotFoundException("No report for " + day));
	}

	@GetMapping(path = "/{day}.csv", produces = "text/csv")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "A day's report as CSV (section,name,value)")
	ResponseEntity<String> csv(@PathVariable @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate day) {
		DailyReport report = this.reports.find(inRange(day))
			.orElseThrow(() -> new NotFoundException("No report for " + day));
		return ResponseEntity.ok()
			.contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"dlq-report-" + day + ".csv\"")
			.body(report.toCsv());
	}

	@PostMapping(path = "/{day}/build", produces = MediaType.APPLICATION_JSON_VALUE)
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Build (or rebuild) a day's report now; the day so far for today")
	DailyReport build(@PathVariable @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate day) {
		if (inRange(day).isAfter(LocalDate.now(ZoneOffset.UTC))) {
			// it would count today's unresolved entries as that day's
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"The day " + day + " has not begun (UTC): a report covers a day that has begun");
		}
		DailyReport report = this.reports.build(day);
		this.audit.record("dlq.report.build", "dlq-daily-report", day.toString(), AuditOutcome.SUCCEEDED, null);
		return report;
	}

	/** A day the API can answer with: ISO dates also take signed years, which the database would store. */
	private static LocalDate inRange(LocalDate day) {
		if (day.getYear() < 1 || day.getYear() > 9999) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The day " + day + " " + TimeRangeModule.MESSAGE);
		}
		return day;
	}

}
