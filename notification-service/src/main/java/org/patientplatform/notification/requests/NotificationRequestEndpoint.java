package org.patientplatform.notification.requests;

import java.net.URI;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.notification.PatientAccess;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.NotificationView;
import org.patientplatform.notification.templates.MissingParametersException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

@RestController
@RequestMapping("/api/v1/notifications")
@ConditionalOnRole("app")
@Tag(name = "Notifications")
@SecurityRequirement(name = "bearer")
class NotificationRequestEndpoint {

	private final NotificationRequests requests;

	private final PatientAccess access;

	NotificationRequestEndpoint(NotificationRequests requests, PatientAccess access) {
		this.requests = requests;
		this.access = access;
	}

	@PostMapping
	@PreAuthorize("hasRole('service')")
	@Operation(summary = "Send a notification to a patient",
			description = "Role service. Like a NotificationRequested event: the patient's preferred channels unless "
					+ "channels are named, held until notBefore, quiet hours and the frequency cap apply to NORMAL "
					+ "priority. The body's idempotencyKey makes one notification however often it is sent (200 with "
					+ "the one made first); the Idempotency-Key header replays the first response. A patient whose "
					+ "contact is not known yet gets it once the contact arrives. Each channel it is to go on shows as a "
					+ "delivery with its state: one the patient cannot be reached on ends UNDELIVERABLE (no phone "
					+ "number, say), one they opted out of SUPPRESSED, each with the reason.",
			parameters = @Parameter(in = ParameterIn.HEADER, name = "Idempotency-Key", required = false,
					description = "Replays the first response to the same request for 24 hours (the same JSON body, "
							+ "however spaced or its members ordered); the key with a body that says something else is "
							+ "a 422",
					schema = @Schema(type = "string", minLength = 1, maxLength = 255)),
			responses = { @ApiResponse(responseCode = "201", description = "Created"),
					@ApiResponse(responseCode = "200", description = "A notification with this idempotencyKey exists"),
					@ApiResponse(responseCode = "409",
							description = "The idempotencyKey is taken by a notification of another patient or type; "
									+ "or the first request with this Idempotency-Key is still in progress",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))),
					@ApiResponse(responseCode = "400",
							description = "Invalid request, unknown type, or a notBefore more than 366 days ahead",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))) })
	ResponseEntity<NotificationView> send(@Valid @RequestBody NotificationRequested request) {
		NotificationRequests.Created created;
		try {
			created = this.requests.create(request);
		}
		catch (UnknownNotificationTypeException | MissingParametersException | NotBeforeTooFarException ex) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, ex.getMessage());
		}
		catch (IdempotencyKeyTakenException ex) {
			throw new ResponseStatusException(HttpStatus.CONFLICT, ex.getMessage());
		}
		Notification notification = created.notification();
		this.access.allowed(created.isNew() ? "notification.create" : "notification.create.existing", "notification",
				notification.id().toString());
		NotificationView view = NotificationView.of(notification);
		if (!created.isNew()) {
			return ResponseEntity.ok(view);
		}
		return ResponseEntity.created(URI.create("/api/v1/notifications/" + notification.id())).body(view);
	}

	@PostMapping("/cancel")
	@PreAuthorize("hasAnyRole('service', 'staff')")
	@Operation(summary = "Cancel a notification by its idempotency key",
			description = "Role service or staff. Deliveries not sent yet (pending, scheduled) are cancelled; sent ones "
					+ "stay. 404 when no notification has the key.",
			responses = { @ApiResponse(responseCode = "200", description = "The notification"),
					@ApiResponse(responseCode = "404", description = "No notification has the key", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem"))) })
	NotificationView cancel(@Valid @RequestBody NotificationCancelled cancellation) {
		Notification notification = this.requests.cancel(cancellation)
			.orElseThrow(() -> new NotFoundException("No notification has this idempotency key"));
		this.access.allowed("notification.cancel", "notification", notification.id().toString());
		return NotificationView.of(notification);
	}

}
