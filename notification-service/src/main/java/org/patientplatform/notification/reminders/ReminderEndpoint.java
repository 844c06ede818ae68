package org.patientplatform.notification.reminders;

import java.net.URI;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
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
import org.patientplatform.kit.web.TimeCursor;
import org.patientplatform.notification.PatientIds;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.notification.templates.MessageTemplates;
import org.patientplatform.notification.templates.MissingParametersException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

@RestController
@RequestMapping("/api/v1/notifications/reminders")
@ConditionalOnRole("app")
@Tag(name = "Reminders", description = "Recurring reminders to a patient from a schedule rule")
@SecurityRequirement(name = "bearer")
class ReminderEndpoint {

	private final Reminders reminders;

	private final ReminderRules rules;

	private final AuditLog audit;

	private final MessageTemplates templates;

	private final Clock clock = Clock.systemUTC();

	ReminderEndpoint(Reminders reminders, ReminderRules rules, AuditLog audit, MessageTemplates templates) {
		this.reminders = reminders;
		this.rules = rules;
		this.audit = audit;
		this.templates = templates;
	}

	@PostMapping
	@PreAuthorize("hasAnyRole('staff', 'service')")
	@Operation(summary = "Create a reminder rule",
			description = "The type must have templates. Either cron (six fields, seconds first, read in timezone) or every (an ISO-8601 duration "
					+ "such as PT12H). The cron role makes one notification per occurrence. Schedules that remind "
					+ "more often than notification.reminders.min-interval, or with every longer than 366 days, are refused (400).",
			responses = @ApiResponse(responseCode = "201", description = "Created: the rule, at its Location"))
	ResponseEntity<ReminderRule> create(@Valid @RequestBody CreateReminder request, Authentication caller) {
		if (Arrays.stream(Channel.values()).noneMatch((channel) -> this.templates.exists(request.type(), channel))) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "No templates for type " + request.type());
		}
		try {
			this.templates.requireParameters(request.type(), request.parameters());
		}
		catch (MissingParametersException ex) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, ex.getMessage());
		}
		ReminderRule rule;
		try {
			rule = this.reminders.create(new Reminders.NewRule(request.patientId(), request.type(),
					(request.priority() != null) ? request.priority() : Priority.NORMAL, request.parameters(),
					request.cron(), request.every(), request.timezone(), request.startAt(), request.endsAt()),
					caller.getName(), now());
		}
		catch (Reminders.InvalidScheduleException ex) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, ex.getMessage());
		}
		this.audit.record("notification.reminder.create", "reminder-rule", rule.id().toString(), "created",
				"patient " + rule.patientId());
		return ResponseEntity.created(URI.create("/api/v1/notifications/reminders/" + rule.id())).body(rule);
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasAnyRole('staff', 'service')")
	@Operation(summary = "A reminder rule with its next run")
	ReminderRule get(@PathVariable UUID id) {
		ReminderRule rule = this.rules.find(id).orElseThrow(() -> new NotFoundException("No reminder rule " + id));
		this.audit.record("notification.reminder.read", "reminder-rule", id.toString(), "allowed", null);
		return rule;
	}

	@GetMapping
	@PreAuthorize("hasAnyRole('staff', 'service')")
	@Operation(summary = "Reminder rules, newest first, deleted ones included (active false)",
			description = "Keyset pagination: pass the page's nextCursor as cursor; null on the last page.")
	Page<ReminderRule> list(@Parameter(description = "Only this patient's rules") @RequestParam(
			required = false) @Nullable String patientId,
			@Parameter(description = "The nextCursor of the previous page") @RequestParam(
					required = false) @Nullable String cursor,
			@Parameter(description = "Page size, 1 to 200 (50 by default)") @RequestParam(
					required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit) {
		int size = Page.limit(limit);
		List<ReminderRule> rows = this.rules.page(PatientIds.canonicalOrNull(patientId), TimeCursor.decodeOrFirst(cursor), size);
		this.audit.record("notification.reminders.list", (patientId != null) ? "patient" : "reminder-rule", patientId,
				"allowed", null);
		return Page.of(rows, size, ReminderRule::sortKey);
	}

	@DeleteMapping("/{id}")
	@PreAuthorize("hasAnyRole('staff', 'service')")
	@Operation(summary = "Delete a reminder rule",
			description = "It makes no more reminders; it stays listed with active false. Reminders already made "
					+ "are not touched.")
	ResponseEntity<Void> delete(@PathVariable UUID id, Authentication caller) {
		if (!this.rules.deactivate(id, caller.getName(), now())) {
			throw new NotFoundException("No reminder rule " + id);
		}
		this.audit.record("notification.reminder.delete", "reminder-rule", id.toString(), "deleted", null);
		return ResponseEntity.noContent().build();
	}

	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

	/**
	 * A reminder rule to create.
	 *
	 * @param cron a cron expression, six fields, seconds first (e.g. {@code 0 0 9 * * MON})
	 * @param every a fixed interval (ISO-8601, e.g. {@code PT12H})
	 * @param timezone the IANA zone the cron expression is read in
	 * @param startAt no reminder before this time; an interval rule's first one is then
	 * @param endsAt no reminder after this time
	 */
	record CreateReminder(@NotBlank @Size(max = 100) String patientId,
			@NotBlank @Size(max = 100) @Pattern(regexp = "[a-z0-9][a-z0-9-]*") String type,
			@NotNull @Size(max = 50) Map<String, @Size(max = 2000) String> parameters, @Nullable Priority priority,
			@Nullable @Size(max = 100) String cron, @Nullable Duration every, @NotBlank @Size(max = 64) String timezone,
			@Nullable Instant startAt, @Nullable Instant endsAt) {

		/** The patient id as stored ({@link PatientIds}): its reminders reach the patient whatever the case. */
		CreateReminder {
			patientId = PatientIds.canonicalOrNull(patientId);
		}

		@ReportedOn("cron")
		@AssertTrue(message = "give either cron or every, not both")
		boolean isOneSchedule() {
			return (this.cron == null) != (this.every == null);
		}

		@ReportedOn("cron")
		@AssertTrue(message = "not a cron expression (six fields, seconds first)")
		boolean isCronValid() {
			return this.cron == null || CronExpression.isValidExpression(this.cron);
		}

		@ReportedOn("timezone")
		@AssertTrue(message = "not a known IANA timezone")
		boolean isTimezoneValid() {
			if (this.timezone == null || this.timezone.isBlank()) {
				return true; // @NotBlank says it is missing: one error for the field, not two
			}
			try {
				ZoneId.of(this.timezone);
				return true;
			}
			catch (DateTimeException ex) {
				return false;
			}
		}

		@ReportedOn("every")
		@AssertTrue(message = "must be positive")
		boolean isEveryPositive() {
			return this.every == null || this.every.isPositive();
		}

	}

}
