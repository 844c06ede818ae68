package org.patientplatform.dlq.retry;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.capture.NotOwnTopic;
import org.patientplatform.dlq.capture.AuditOutcome;
import org.patientplatform.dlq.capture.OperatorReason;
import org.patientplatform.dlq.capture.TopicNames;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.ReportedOn;

import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/dlq/retry-policies")
@ConditionalOnRole("app")
@Tag(name = "Retry policies", description = "How failed records of each topic are retried automatically")
@SecurityRequirement(name = "bearer")
class RetryPolicyEndpoint {

	static final String TOPIC = TopicNames.PATTERN;

	private final RetryPolicies policies;

	private final RetryProperties properties;

	private final AuditLog audit;

	RetryPolicyEndpoint(RetryPolicies policies, RetryProperties properties, AuditLog audit) {
		this.policies = policies;
		this.properties = properties;
		this.audit = audit;
	}

	@GetMapping
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "The defaults and every topic's own policy")
	Policies list() {
		return new Policies(PolicyView.of("*", this.properties.defaults(), true, null, null),
				this.policies.findAll()
					.stream()
					.map((p) -> PolicyView.of(p.topic(), p.policy(), false, p.updatedAt(), p.updatedBy()))
					.toList());
	}

	@GetMapping("/{topic}")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "The policy that applies to a topic: its own, or the defaults")
	PolicyView get(@PathVariable @Pattern(regexp = TOPIC, message = TopicNames.RULE) String topic) {
		return this.policies.find(topic)
			.map((p) -> PolicyView.of(topic, p.policy(), false, p.updatedAt(), p.updatedBy()))
			.orElseGet(() -> PolicyView.of(topic, this.properties.defaults(), true, null, null));
	}

	@PutMapping("/{topic}")
	@PreAuthorize("hasRole('ops')")
	@Operation(summary = "Set a topic's policy",
			description = "Applies to failures scheduled from now on. The reason is required: the audit log keeps "
					+ "who and why.")
	PolicyView put(@PathVariable @Pattern(regexp = TOPIC, message = TopicNames.RULE) @NotOwnTopic String topic,
			@Valid @RequestBody PolicyChange change, Authentication caller) {
		RetryPolicies.StoredPolicy stored = this.policies.save(topic, change.policy(), caller.getName());
		this.audit.record("dlq.retry-policy.update", "dlq-retry-policy", topic, AuditOutcome.SUCCEEDED,
				change.reason());
		return PolicyView.of(topic, stored.policy(), false, stored.updatedAt(), stored.updatedBy());
	}

	@DeleteMapping("/{topic}")
	@PreAuthorize("hasRole('ops')")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	@Operation(summary = "Remove a topic's policy; the defaults apply again",
			description = "The reason is required: the audit log keeps who and why.")
	void delete(@PathVariable @Pattern(regexp = TOPIC, message = TopicNames.RULE) String topic,
			@Parameter(description = "Why, kept in the audit log") @RequestParam @NotBlank @Size(max = 500)
					@Pattern(regexp = OperatorReason.TEXT, message = OperatorReason.RULE) String reason) {
		boolean deleted = this.policies.delete(topic);
		// refused or done, the operator's attempt is audited, as every other action's
		this.audit.record("dlq.retry-policy.delete", "dlq-retry-policy", topic,
				deleted ? AuditOutcome.SUCCEEDED : AuditOutcome.REJECTED, reason);
		if (!deleted) {
			throw new NotFoundException("Topic " + topic + " has no policy of its own");
		}
	}

	record Policies(PolicyView defaults, List<PolicyView> topics) {
	}

	/**
	 * @param topic the topic ({@code *} for the defaults)
	 * @param defaults true when the topic has no policy of its own
	 */
	record PolicyView(String topic, int maxAttempts, double initialDelaySeconds, double multiplier,
			double maxDelaySeconds, double jitter, boolean defaults, @Nullable Instant updatedAt,
			@Nullable String updatedBy) {

		static PolicyView of(String topic, RetryPolicy policy, boolean defaults, @Nullable Instant updatedAt,
				@Nullable String updatedBy) {
			return new PolicyView(topic, policy.maxAttempts(), policy.initialDelayMs() / 1000.0, policy.multiplier(),
					policy.maxDelayMs() / 1000.0, policy.jitter(), defaults, updatedAt, updatedBy);
		}

	}

	/**
	 * A new policy for a topic.
	 *
	 * @param maxAttempts automatic redrives before an entry is permanently failed (0: never retried)
	 * @param initialDelaySeconds the delay before the first automatic redrive
	 * @param multiplier the growth of each next delay
	 * @param maxDelaySeconds the longest delay
	 * @param jitter the fraction by which a delay varies either way
	 * @param reason why, required: the audit log keeps it
	 */
	record PolicyChange(@NotNull @Min(0) @Max(100) Integer maxAttempts,
			@NotNull @DecimalMin("1") @DecimalMax("86400") Double initialDelaySeconds,
			@NotNull @DecimalMin("1.0") @DecimalMax("10.0") Double multiplier,
			@NotNull @DecimalMin("1") @DecimalMax("604800") Double maxDelaySeconds,
			@NotNull @DecimalMin("0.0") @DecimalMax("1.0") Double jitter, @NotBlank @Size(max = 500)
				@Pattern(regexp = OperatorReason.TEXT, message = OperatorReason.RULE) String reason) {

		@ReportedOn("maxDelaySeconds")
		@AssertTrue(message = "must not be shorter than initialDelaySeconds")
		@Schema(hidden = true)
		boolean isMaxDelaySecondsValid() {
			return this.maxDelaySeconds == null || this.initialDelaySeconds == null
					|| this.maxDelaySeconds >= this.initialDelaySeconds;
		}

		RetryPolicy policy() {
			return new RetryPolicy(this.maxAttempts, Math.round(this.initialDelaySeconds * 1000), this.multiplier,
					Math.round(this.maxDelaySeconds * 1000), this.jitter);
		}

	}

}
