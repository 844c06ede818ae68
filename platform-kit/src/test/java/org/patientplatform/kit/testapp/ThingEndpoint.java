package org.patientplatform.kit.testapp;

import java.net.URI;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/things")
@ConditionalOnRole("app")
class ThingEndpoint {

	record NewThing(@NotBlank String value, @Email String contact, @Size(max = 5) String code) {
	}

	record CreatedThing(String id, String value) {
	}

	private final AtomicInteger created = new AtomicInteger();

	@PostMapping(consumes = "application/json")
	@PreAuthorize("hasRole('staff')")
	ResponseEntity<CreatedThing> create(@Valid @RequestBody NewThing thing) {
		String id = UUID.randomUUID().toString();
		this.created.incrementAndGet();
		return ResponseEntity.created(URI.create("/api/v1/things/" + id)).body(new CreatedThing(id, thing.value()));
	}

	@GetMapping("/created")
	@PreAuthorize("hasRole('staff')")
	int created() {
		return this.created.get();
	}

	@GetMapping("/boom")
	@PreAuthorize("hasRole('staff')")
	String boom() {
		throw new IllegalStateException("secret internal detail");
	}

}
