package org.patientplatform.dlq.redrive;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Supplier;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.capture.NotOwnTopic;
import org.patientplatform.dlq.capture.AuditOutcome;
import org.patientplatform.dlq.capture.OperatorReason;
import org.patientplatform.dlq.capture.TopicNames;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.ReportedOn;

import org.springframework.http.HttpHeaders;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/dlq/messages")
@ConditionalOnRole("app")
@Tag(name = "Redrive", description = "Send entries back, edited or not, or discard them; every action is audited")
@SecurityRequirement(name = "bearer")
class EntryRedriveEndpoint {

	static final String TOPIC = TopicNames.PATTERN;

	/** What the 409 of a redrive in flight says of when to try again. */
	private static final String IN_FLIGHT = "then with Retry-After: its outcome may come at any moment, and the "
			+ "redrive is settled at the latest when dlq.retry.outcome-timeout has passed since its send";

	private static final String RETRY_AFTER = "When a redrive of the entry is in flight: the seconds until it is "
			+ "settled at the latest (dlq.retry.outcome-timeout after its send); try again then, or sooner. Also sent "
			+ "when the first request with this Idempotency-Key is still in progress";

	private final OperatorRedrives redrives;

	private final AuditLog audit;

	private final TargetTopics targets;

	EntryRedriveEndpoint(OperatorRedrives redrives, AuditLog audit, TargetTopics targets) {
		this.redrives = redrives;
		this.audit = audit;
		this.targets = targets;
	}

	@PostMapping("/{id}/redrive")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Send the entry back now",
			description = "To its original topic with its original key and headers, unless targetTopic is given, "
					+ "and its original value, or the operator's edited one once the entry has one (edit-and-redrive). "
					+ "The entry is RETRYING until the origin reports the outcome. 409 for a discarded "
					+ "entry or one already in flight within dlq.retry.outcome-timeout (with Retry-After: the seconds "
					+ "until that timeout has passed since its send); a redrive past it that waits "
					+ "for the entry's consumer group to read it is counted as timed out and the entry sent again "
					+ "(the group may then read two copies). An entry whose value was too large to dead-letter "
					+ "(valueOmitted) is never sent without it, which would be a tombstone: 409 naming where to read "
					+ "the value, and edit-and-redrive sends it. The reason is required: the audit log keeps who and "
					+ "why.")
	@ApiResponse(responseCode = "200", description = "Sent; the entry is RETRYING")
	@ApiResponse(responseCode = "409", description = "The entry is discarded, a redrive of it is in flight within the outcome timeout (" + IN_FLIGHT + "), its payload cannot be decrypted, its value was too large to dead-letter (valueOmitted: only an edit-and-redrive sends it), or it has no topic to go to; or the first request with this Idempotency-Key is still in progress (Retry-After)",
			headers = @Header(name = HttpHeaders.RETRY_AFTER, description = RETRY_AFTER,
					schema = @Schema(type = "integer", minimum = "1")),
			content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
	Redriven redrive(@PathVariable UUID id, @Valid @RequestBody RedriveRequest request, Authentication caller) {
		return audited("dlq.redrive", id, describe(request.targetTopic(), request.reason()),
				() -> {
					this.targets.requireExisting(request.targetTopic());
					return Redriven.of(this.redrives.redrive(id, request.targetTopic(), request.reason(), caller.getName()));
				});
	}

	@PostMapping("/{id}/edit-and-redrive")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Store an edited payload beside the original and send it",
			description = "The original payload is kept (the reveal shows both); every later send of the entry "
					+ "(automatic retries, a redrive, a bulk redrive) sends the edited one. A later edit replaces this "
					+ "one; to send the original again, edit-and-redrive with it.")
	@ApiResponse(responseCode = "200", description = "Stored and sent; the entry is RETRYING")
	@ApiResponse(responseCode = "409", description = "The entry is discarded, a redrive of it is in flight within the outcome timeout (" + IN_FLIGHT + "), or it has no topic to go to; or the first request with this Idempotency-Key is still in progress (Retry-After)",
			headers = @Header(name = HttpHeaders.RETRY_AFTER, description = RETRY_AFTER,
					schema = @Schema(type = "integer", minimum = "1")),
			content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
	Redriven editAndRedrive(@PathVariable UUID id, @Valid @RequestBody EditAndRedrive request, Authentication caller) {
		return audited("dlq.edit-and-redrive", id, describe(request.targetTopic(), request.reason()),
				() -> {
					this.targets.requireExisting(request.targetTopic());
					return Redriven.of(this.redrives.editAndRedrive(id, request.bytes(), request.targetTopic(),
							request.reason(), caller.getName()));
				});
	}

	@PostMapping("/{id}/discard")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Discard the entry: never retried again, kept until retention")
	@ApiResponse(responseCode = "200", description = "Discarded")
	@ApiResponse(responseCode = "409", description = "The entry is discarded already",
			content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
	Discarded discard(@PathVariable UUID id, @Valid @RequestBody DiscardRequest request, Authentication caller) {
		return audited("dlq.discard", id, request.reason(), () -> {
			this.redrives.discard(id, request.reason(), caller.getName());
			return new Discarded(id, "DISCARDED");
		});
	}

	private <T> T audited(String action, UUID id, String reason, Supplier<T> work) {
		T result;
		try {
			result = work.get();
		}
		catch (RuntimeException ex) {
			// a valid request is audited whatever became of it: refused by the DLQ, not taken by the broker, or a
			// payload that cannot be decrypted (as a reveal of it is audited)
			this.audit.record(action, "dlq-entry", id.toString(), outcome(ex), reason);
			throw ex;
		}
		this.audit.record(action, "dlq-entry", id.toString(), AuditOutcome.SUCCEEDED, reason);
		return result;
	}

	private static String outcome(RuntimeException ex) {
		if (ex instanceof BrokerRefusal) {
			return AuditOutcome.FAILED;
		}
		return (ex instanceof UnreadableRedrive) ? AuditOutcome.UNREADABLE : AuditOutcome.REJECTED;
	}

	private static String describe(@Nullable String target, String reason) {
		return (target != null) ? "to " + target + ": " + reason : reason;
	}

	/**
	 * @param targetTopic another topic to send to; only when given is the original topic not used
	 * @param reason why, required: the audit log keeps it
	 */
	record RedriveRequest(@Nullable @Pattern(regexp = TOPIC, message = TopicNames.RULE) @NotOwnTopic String targetTopic,
			@NotBlank @Size(max = 500)
				@Pattern(regexp = OperatorReason.TEXT, message = OperatorReason.RULE) String reason) {
	}

	/**
	 * @param payload the edited payload as text
	 * @param payloadBase64 the edited payload's bytes, base64 (instead of {@code payload})
	 * @param targetTopic another topic to send to
	 * @param reason why, for the audit log
	 */
	record EditAndRedrive(@Nullable String payload, @Nullable String payloadBase64,
			@Nullable @Pattern(regexp = TOPIC, message = TopicNames.RULE) @NotOwnTopic String targetTopic,
			@NotBlank @Size(max = 500)
				@Pattern(regexp = OperatorReason.TEXT, message = OperatorReason.RULE) String reason) {

		@ReportedOn("payload")
		@AssertTrue(message = "give exactly one of payload and payloadBase64")
		@Schema(hidden = true)
		boolean isPayloadSingle() {
			return (this.payload == null) != (this.payloadBase64 == null);
		}

		@ReportedOn("payloadBase64")
		@AssertTrue(message = "must be base64 (the standard alphabet: A-Z, a-z, 0-9, + and /)")
		@Schema(hidden = true)
		boolean isPayloadBase64Valid() {
			if (this.payloadBase64 == null) {
				return true;
			}
			try {
				Base64.getDecoder().decode(this.payloadBase64);
				return true;
			}
			catch (IllegalArgumentException ex) {
				return false;
			}
		}

		byte[] bytes() {
			return (this.payloadBase64 != null) ? Base64.getDecoder().decode(this.payloadBase64)
					: String.valueOf(this.payload).getBytes(StandardCharsets.UTF_8);
		}

	}

	/** @param reason why, required */
	record DiscardRequest(@NotBlank @Size(max = 500)
			@Pattern(regexp = OperatorReason.TEXT, message = OperatorReason.RULE) String reason) {
	}

	record Redriven(UUID entryId, String status, long redriveId, String topic, int partition, long offset) {

		static Redriven of(Redriver.Sent sent) {
			return new Redriven(sent.entryId(), "RETRYING", sent.redriveId(), sent.topic(), sent.partition(),
					sent.offset());
		}

	}

	record Discarded(UUID entryId, String status) {
	}

}
