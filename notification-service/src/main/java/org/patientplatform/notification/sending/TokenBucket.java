package org.patientplatform.notification.sending;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A provider's rate limit: {@code rate} messages per second with bursts of up to one
 * second's worth. Callers reserve a permit and wait for its time, so permits go out in
 * order at the rate and none is lost.
 */
final class TokenBucket {

	private final double permitsPerNano;

	private final double capacity;

	private final LongSupplier nanoTime;

	private double tokens;

	private long updatedAt;

	TokenBucket(double permitsPerSecond, LongSupplier nanoTime) {
		if (permitsPerSecond <= 0) {
			throw new IllegalArgumentException("The rate must be positive");
		}
		this.permitsPerNano = permitsPerSecond / TimeUnit.SECONDS.toNanos(1);
		this.capacity = Math.max(1, permitsPerSecond);
		this.nanoTime = nanoTime;
		this.tokens = this.capacity;
		this.updatedAt = nanoTime.getAsLong();
	}

	/**
	 * Reserves one permit.
	 * @return how many nanoseconds to wait before using it (0 when one is free now)
	 */
	synchronized long reserve() {
		long now = this.nanoTime.getAsLong();
		this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.permitsPerNano);
		this.updatedAt = now;
		this.tokens -= 1;
		return (this.tokens >= 0) ? 0 : (long) Math.ceil(-this.tokens / this.permitsPerNano);
	}

	/**
	 * Waits for a permit, unless it would come after {@code deadline}.
	 * @param deadline a {@link System#nanoTime()}-like value of the same clock
	 * @return false, at once and without taking the permit, when it would come too late
	 */
	boolean acquire(long deadline) throws InterruptedException {
		long wait;
		synchronized (this) {
			wait = reserve();
			if (wait > 0 && this.nanoTime.getAsLong() + wait > deadline) {
				this.tokens += 1;
				return false;
			}
		}
		if (wait > 0) {
			TimeUnit.NANOSECONDS.sleep(wait);
		}
		return true;
	}

}
