package org.patientplatform.kit.testapp;

import java.net.URI;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import io.micrometer.tracing.Tracer;
import org.patientplatform.kit.outbox.Outbox;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.annotation.Transactional;
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

	private final Outbox outbox;

	private final Tracer tracer;

	ThingEndpoint(Outbox outbox, Tracer tracer) {
		this.outbox = outbox;
		this.tracer = tracer;
	}

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

	/** Writes a Thing event through the outbox and answers the request's trace id. */
	@PostMapping("/events")
	@PreAuthorize("hasRole('staff')")
	@Transactional
	String publish(@RequestBody NewThing thing) {
		this.outbox.append(ThingListener.TOPIC, "traced", Thing.TYPE, new Thing(thing.value(), null, null, null));
		return this.tracer.currentSpan().context().traceId();
	}

	@GetMapping("/boom")
	@PreAuthorize("hasRole('staff')")
	String boom() {
		throw new IllegalStateException("secret internal detail");
	}

}
