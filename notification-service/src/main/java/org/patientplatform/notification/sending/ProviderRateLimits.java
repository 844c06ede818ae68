package org.patientplatform.notification.sending;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per provider, at the configured messages per second. The limit holds
 * per instance: with several {@code wrk--notifications} replicas, each gets its share by
 * configuration.
 */
final class ProviderRateLimits {

	private final SendingProperties properties;

	private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

	ProviderRateLimits(SendingProperties properties) {
		this.properties = properties;
	}

	/**
	 * Waits until the provider may take one more message.
	 * @param deadline the {@link System#nanoTime()} by which the message must go
	 * @return false, without waiting, when its turn would come after the deadline
	 */
	boolean acquire(String provider, long deadline) throws InterruptedException {
		return this.buckets
			.computeIfAbsent(provider, (name) -> new TokenBucket(this.properties.rateLimit(name), System::nanoTime))
			.acquire(deadline);
	}

}
