package org.patientplatform.dlq.capture;

import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/dlq/messages")
@ConditionalOnRole("app")
@Tag(name = "Dead letters", description = "Failed records captured from every consumer")
@SecurityRequirement(name = "bearer")
class DeadLetterEndpoint {

	private final DeadLetters deadLetters;

	DeadLetterEndpoint(DeadLetters deadLetters) {
		this.deadLetters = deadLetters;
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "One dead-letter entry, payload hidden")
	DeadLetterEntry get(@PathVariable UUID id) {
		return this.deadLetters.findById(id).orElseThrow(() -> new NotFoundException("No dead-letter entry " + id));
	}

}
