package org.patientplatform.notification.sending;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.Channel;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The senders' settings ({@code notification.sending.*}).
 *
 * @param enabled whether the senders start on their own where {@code wrk--notifications}
 * runs (tests switch it off to drive them)
 * @param batchSize deliveries claimed per transaction
 * @param pollInterval the wait after a batch smaller than {@link #batchSize}
 * @param maxConcurrentSends provider calls in flight at once per instance
 * @param sendTimeout how long a batch waits for a provider's answer before the outcome of
 * that send counts as unknown
 * @param maxAttempts attempts per delivery before it fails for good
 * @param backoff the wait before a retry
 * @param defaultRateLimit messages per second per provider, per instance, unless
 * {@link #rateLimits} names the provider
 * @param rateLimits messages per second by provider name ({@code twilio}, {@code fcm},
 * {@code smtp})
 * @param frequencyCap how many notifications of one type a patient gets within a window
 * @param fallbackOrder the order channels are tried in when a delivery fails
 * @param defaultTimezone the timezone of quiet hours for a patient without one
 * @param reconcileAfter how long a delivery may stay {@code SENDING} before its outcome is
 * asked of the provider; longer than any provider call can take
 * @param reconcileInterval how often the senders look for such deliveries
 * @param reconcileGiveUpAfter how long after its start an attempt whose provider cannot
 * tell (its lookup failed, or it has none) stays {@code SENDING} to be asked again; then it
 * fails for good, never resent
 * @param queueDepthSampling how often the queue depth gauge counts due deliveries at most
 * @param senders sender loops per instance: while one waits for the providers' answers or
 * records its batch, another claims the next (they share the queue like instances do, and
 * the instance's rate limits and {@code max-concurrent-sends})
 */
@ConfigurationProperties("notification.sending")
@Validated
record SendingProperties(@DefaultValue("true") boolean enabled, @DefaultValue("200") @Min(1) int batchSize,
		@DefaultValue("250ms") Duration pollInterval, @DefaultValue("32") @Min(1) int maxConcurrentSends,
		@DefaultValue("30s") Duration sendTimeout, @DefaultValue("6") @Min(1) int maxAttempts,
		@DefaultValue @Valid Backoff backoff, @DefaultValue("100") @DecimalMin("0.1") double defaultRateLimit,
		@Nullable Map<String, Double> rateLimits, @DefaultValue @Valid FrequencyCap frequencyCap,
		@DefaultValue({ "PUSH", "SMS", "EMAIL" }) @NotEmpty List<Channel> fallbackOrder,
		@DefaultValue("UTC") @NotNull ZoneId defaultTimezone, @DefaultValue("2m") Duration reconcileAfter,
		@DefaultValue("15s") Duration reconcileInterval, @DefaultValue("10m") Duration reconcileGiveUpAfter,
		@DefaultValue("5s") Duration queueDepthSampling, @DefaultValue("2") @Min(1) int senders) {

	SendingProperties {
		rateLimits = (rateLimits != null) ? Map.copyOf(rateLimits) : Map.of();
		fallbackOrder = List.copyOf(fallbackOrder);
	}

	/** Messages per second allowed to a provider, per instance. */
	double rateLimit(String provider) {
		return this.rateLimits.getOrDefault(provider, this.defaultRateLimit);
	}

	/**
	 * Exponential backoff with jitter: the n-th retry waits {@code initial × 2^(n-1)}, at
	 * most {@code max}, give or take {@code jitter} (a fraction), and never less than the
	 * provider's {@code Retry-After}.
	 */
	record Backoff(@DefaultValue("30s") Duration initial, @DefaultValue("1h") Duration max,
			@DefaultValue("0.2") @DecimalMin("0") @DecimalMax("1") double jitter) {
	}

	/**
	 * At most {@code count} notifications of one type to one patient within
	 * {@code window}; more are suppressed. Urgent ones are never capped.
	 */
	record FrequencyCap(@DefaultValue("5") @Min(1) int count, @DefaultValue("1h") Duration window) {
	}

}
