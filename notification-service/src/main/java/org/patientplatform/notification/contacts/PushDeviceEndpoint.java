package org.patientplatform.notification.contacts;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.notification.PatientAccess;
import org.patientplatform.notification.PatientIds;

import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The devices a patient receives push messages on, registered by the patient's app when they sign in on a device
 * and removed when they sign out. The token is the push provider's registration token (FCM, APNs), never logged.
 */
@RestController
@RequestMapping("/api/v1/patients/{patientId}/push-devices/{token}")
@ConditionalOnRole("app")
@Tag(name = "Preferences", description = "How a patient wants to be reached")
@SecurityRequirement(name = "bearer")
class PushDeviceEndpoint {

	/**
	 * An FCM registration token, the sender's provider (APNs devices reach it through FCM too): 16 to 4,096 letters,
	 * digits, {@code _ : -}, the shape FCM itself takes; a token FCM would refuse is refused here, at registration,
	 * not dropped at the device's first push.
	 */
	static final String TOKEN = "^[A-Za-z0-9_:\\-]{16,4096}$";

	static final String TOKEN_MESSAGE = "must be an FCM registration token: 16 to 4096 letters, digits, _ : or -";

	private final ContactProjection projection;

	private final PatientAccess access;

	private final Clock clock = Clock.systemUTC();

	PushDeviceEndpoint(ContactProjection projection, PatientAccess access) {
		this.projection = projection;
		this.access = access;
	}

	@PutMapping
	@PreAuthorize("hasAnyRole('staff', 'patient')")
	@Operation(summary = "Register a device for push messages",
			description = "Staff, or the patient themself. The device becomes the patient's newest, the one push "
					+ "messages go to first; registering it again changes nothing else. A device another patient "
					+ "had registered is theirs no more. Beyond notification.contacts.max-push-devices (10) the "
					+ "oldest device is dropped. Push must still be among the patient's channels (preferences). "
					+ "404 when no contact of the patient has arrived.")
	PreferencesView register(@PathVariable @NotBlank(message = PatientIds.BLANK) String patientId,
			@Parameter(description = "The push provider's registration token") @PathVariable @Pattern(regexp = TOKEN,
					message = TOKEN_MESSAGE) String token,
			Authentication caller) {
		// as stored: the same patient whatever the case of the UUID
		String id = PatientIds.canonical(patientId);
		this.access.requireAccess(caller, id, "push-device.register");
		PreferencesView view = this.projection.registerPushDevice(id, token, now())
			.map(PreferencesView::of)
			.orElseThrow(() -> new NotFoundException("No contact for patient " + id));
		this.access.allowed("push-device.register", "patient", id);
		return view;
	}

	@DeleteMapping
	@ResponseStatus(HttpStatus.NO_CONTENT)
	@PreAuthorize("hasAnyRole('staff', 'patient')")
	@Operation(summary = "Remove a device from push messages",
			description = "Staff, or the patient themself (signing out of the app on the device). 204 whether or not "
					+ "the patient had the device; 404 when no contact of the patient has arrived.")
	void remove(@PathVariable @NotBlank(message = PatientIds.BLANK) String patientId,
			@Parameter(description = "The push provider's registration token") @PathVariable @Pattern(regexp = TOKEN,
					message = TOKEN_MESSAGE) String token,
			Authentication caller) {
		// as stored: the same patient whatever the case of the UUID
		String id = PatientIds.canonical(patientId);
		this.access.requireAccess(caller, id, "push-device.remove");
		this.projection.removePushDevice(id, token, now())
			.orElseThrow(() -> new NotFoundException("No contact for patient " + id));
		this.access.allowed("push-device.remove", "patient", id);
	}

	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
