package org.patientplatform.notification.receipts;

import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.notification.PatientAccess;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.NotificationId;
import org.patientplatform.notification.delivery.NotificationView;
import org.patientplatform.notification.delivery.Notifications;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/notifications")
@ConditionalOnRole("app")
@Tag(name = "Notifications")
@SecurityRequirement(name = "bearer")
class ReadReceiptEndpoint {

	private final Notifications notifications;

	private final Receipts receipts;

	private final PatientAccess access;

	ReadReceiptEndpoint(Notifications notifications, Receipts receipts, PatientAccess access) {
		this.notifications = notifications;
		this.receipts = receipts;
		this.access = access;
	}

	@PostMapping("/{id}/read")
	@PreAuthorize("hasAnyRole('staff', 'patient')")
	@Operation(summary = "Mark a notification read",
			description = "The patient themself (another patient's answers 404) or staff. Every delivery that reached "
					+ "the patient, or is on its way, becomes READ; calling it again changes nothing.")
	NotificationView read(@PathVariable UUID id, Authentication caller) {
		NotificationId notificationId = new NotificationId(id);
		Notification notification = this.notifications.findById(notificationId)
			.orElseThrow(() -> new NotFoundException("No notification " + id));
		if (!this.access.mayAccess(caller, notification.patientId())) {
			this.access.denied("notification.mark-read", "notification", id.toString());
			throw new NotFoundException("No notification " + id);
		}
		Notification read = this.receipts.markRead(notificationId)
			.orElseThrow(() -> new NotFoundException("No notification " + id));
		this.access.allowed("notification.mark-read", "notification", id.toString());
		return NotificationView.of(read);
	}

}
