package org.patientplatform.notification.delivery;

import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.Page;
import org.patientplatform.kit.web.TimeCursor;
import org.patientplatform.notification.PatientAccess;
import org.patientplatform.notification.PatientIds;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1")
@ConditionalOnRole("app")
@Tag(name = "Notifications", description = "Notifications to patients and their deliveries per channel")
@SecurityRequirement(name = "bearer")
class NotificationEndpoint {

	static final int DEFAULT_PAGE_SIZE = 20;

	static final int MAX_PAGE_SIZE = 100;

	private final JdbcNotifications notifications;

	private final PatientAccess access;

	NotificationEndpoint(JdbcNotifications notifications, PatientAccess access) {
		this.notifications = notifications;
		this.access = access;
	}

	@GetMapping("/notifications/{id}")
	@PreAuthorize("hasAnyRole('staff', 'patient')")
	@Operation(summary = "One notification with its deliveries",
			description = "Staff see any notification; a patient only their own (another's answers 404).")
	NotificationView get(@PathVariable UUID id, Authentication caller) {
		Notification notification = this.notifications.findById(new NotificationId(id))
			.orElseThrow(() -> new NotFoundException("No notification " + id));
		if (!this.access.mayAccess(caller, notification.patientId())) {
			this.access.denied("notification.read", "notification", id.toString());
			throw new NotFoundException("No notification " + id);
		}
		this.access.allowed("notification.read", "notification", id.toString());
		return NotificationView.of(notification);
	}

	@GetMapping("/patients/{patientId}/notifications")
	@PreAuthorize("hasAnyRole('staff', 'patient')")
	@Operation(summary = "A patient's notifications, newest first",
			description = "Keyset pagination: pass the page's nextCursor as cursor; null on the last page. Staff "
					+ "may list any patient's; a patient only their own (another's answers 403).")
	Page<NotificationView> list(@PathVariable @NotBlank(message = PatientIds.BLANK) String patientId,
			@Parameter(description = "The nextCursor of the previous page") @RequestParam(
					required = false) @Nullable String cursor,
			@Parameter(description = "Page size, 1 to 100; larger values are capped, smaller ones refused") @RequestParam(
					defaultValue = "" + DEFAULT_PAGE_SIZE) @Min(1) long limit,
			Authentication caller) {
		// as stored: the same patient whatever the case of the UUID
		String id = PatientIds.canonical(patientId);
		this.access.requireAccess(caller, id, "notifications.list");
		// long: a size past int's range is capped like any other, not refused as no whole number
		int size = (int) Math.min(limit, MAX_PAGE_SIZE);
		TimeCursor after = TimeCursor.decodeOrFirst(cursor);
		Page<Notification> page = Page.of(this.notifications.findByPatient(id, after, size + 1), size,
				(notification) -> new TimeCursor(notification.createdAt(), notification.id().value()).sortKey());
		this.access.allowed("notifications.list", "patient", id);
		return new Page<>(page.items().stream().map(NotificationView::of).toList(), page.nextCursor());
	}

}
