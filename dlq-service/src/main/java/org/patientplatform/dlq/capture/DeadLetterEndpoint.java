package org.patientplatform.dlq.capture;

import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.apache.kafka.clients.producer.RecordMetadata;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.Page;

import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/dlq/messages")
@ConditionalOnRole("app")
@Tag(name = "Dead letters", description = "Failed records captured from every consumer")
@SecurityRequirement(name = "bearer")
class DeadLetterEndpoint {

	private final DeadLetters deadLetters;

	private final FailedMessagePublisher publisher;

	DeadLetterEndpoint(DeadLetters deadLetters, FailedMessagePublisher publisher) {
		this.deadLetters = deadLetters;
		this.publisher = publisher;
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "One dead-letter entry, payload hidden",
			description = "Coordinates, error, retry state and status fields; the payload needs an audited reveal. Its "
					+ "failures and redrives are at /{id}/history, in keyset pages.")
	DeadLetterEntry get(@PathVariable UUID id) {
		return this.deadLetters.findById(id).orElseThrow(() -> new NotFoundException("No dead-letter entry " + id));
	}

	@GetMapping("/{id}/history")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "The entry's failures, oldest first, and the redrives sent for it with their outcome",
			description = "Keyset pagination: each page holds up to limit failures and up to limit redrives, each "
					+ "list oldest first; pass the response's nextCursor as cursor for the next page, where either "
					+ "list goes on (no nextCursor: last page). A failure or redrive added during the walk is on a "
					+ "later page.")
	DeadLetters.History history(@PathVariable UUID id,
			@Parameter(description = "nextCursor of the previous page") @RequestParam(
					required = false) @Nullable String cursor,
			@Parameter(description = "Page size of each list, default 50, at most 200 (more is refused)") @RequestParam(
					required = false) @Nullable @Min(1) @Max(Page.MAX_LIMIT) Integer limit) {
		return this.deadLetters.history(id, cursor, Page.limit(limit))
			.orElseThrow(() -> new NotFoundException("No dead-letter entry " + id));
	}

	@PostMapping
	@PreAuthorize("hasRole('service')")
	@ResponseStatus(HttpStatus.ACCEPTED)
	@Operation(summary = "Report a failed message",
			description = "For services that dead-letter over HTTP: publishes the message to dlq.messages.v1 in the "
					+ "platform's failed-record format and answers once the broker has it; the entry appears when "
					+ "the capture consumer stores it. Supports Idempotency-Key.")
	Published publish(@Valid @RequestBody FailedMessage message) {
		RecordMetadata sent = this.publisher.publish(message);
		return new Published(sent.topic(), sent.partition(), sent.offset());
	}

	/**
	 * Where a reported failed message went.
	 *
	 * @param topic the DLQ topic
	 * @param partition its partition there
	 * @param offset its offset there
	 */
	record Published(String topic, int partition, long offset) {
	}

}
