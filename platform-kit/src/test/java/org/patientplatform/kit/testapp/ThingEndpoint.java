package org.patientplatform.kit.testapp;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/things")
@ConditionalOnRole("app")
class ThingEndpoint {

	record NewThing(@NotBlank String value, @Email String contact, @Size(max = 5) String code) {
	}

	@PostMapping(consumes = "application/json")
	@ResponseStatus(HttpStatus.CREATED)
	@PreAuthorize("hasRole('staff')")
	NewThing create(@Valid @RequestBody NewThing thing) {
		return thing;
	}

	@GetMapping("/boom")
	@PreAuthorize("hasRole('staff')")
	String boom() {
		throw new IllegalStateException("secret internal detail");
	}

}
