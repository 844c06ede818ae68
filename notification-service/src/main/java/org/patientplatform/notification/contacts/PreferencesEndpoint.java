package org.patientplatform.notification.contacts;

import java.time.Clock;
import java.time.temporal.ChronoUnit;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.notification.PatientAccess;
import org.patientplatform.notification.PatientIds;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/patients/{patientId}/preferences")
@ConditionalOnRole("app")
@Tag(name = "Preferences", description = "How a patient wants to be reached")
@SecurityRequirement(name = "bearer")
class PreferencesEndpoint {

	private final ContactDirectory contacts;

	private final ContactProjection projection;

	private final PatientAccess access;

	private final Clock clock = Clock.systemUTC();

	PreferencesEndpoint(ContactDirectory contacts, ContactProjection projection, PatientAccess access) {
		this.contacts = contacts;
		this.projection = projection;
		this.access = access;
	}

	@GetMapping
	@PreAuthorize("hasAnyRole('staff', 'patient')")
	@Operation(summary = "A patient's notification preferences",
			description = "Staff, or the patient themself; 404 when no contact of the patient has arrived.")
	PreferencesView get(@PathVariable @NotBlank(message = PatientIds.BLANK) String patientId, Authentication caller) {
		// as stored: the same patient whatever the case of the UUID
		String id = PatientIds.canonical(patientId);
		this.access.requireAccess(caller, id, "preferences.read");
		PreferencesView view = this.contacts.find(id)
			.map(PreferencesView::of)
			.orElseThrow(() -> new NotFoundException("No contact for patient " + id));
		this.access.allowed("preferences.read", "patient", id);
		return view;
	}

	@PutMapping
	@PreAuthorize("hasAnyRole('staff', 'patient')")
	@Operation(summary = "Set a patient's notification preferences",
			description = "Staff, or the patient themself. Takes effect at once; a later ContactPreferencesChanged "
					+ "event replaces it, an earlier one does not. Null language or timezone keeps the current one.")
	PreferencesView put(@PathVariable @NotBlank(message = PatientIds.BLANK) String patientId,
			@Valid @RequestBody PreferencesUpdate update, Authentication caller) {
		// as stored: the same patient whatever the case of the UUID
		String id = PatientIds.canonical(patientId);
		this.access.requireAccess(caller, id, "preferences.update");
		PreferencesView view = this.projection
			.changePreferences(id, update, this.clock.instant().truncatedTo(ChronoUnit.MICROS))
			.map(PreferencesView::of)
			.orElseThrow(() -> new NotFoundException("No contact for patient " + id));
		this.access.allowed("preferences.update", "patient", id);
		return view;
	}

}
