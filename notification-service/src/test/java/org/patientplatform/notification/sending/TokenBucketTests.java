package org.patientplatform.notification.sending;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenBucketTests {

	final AtomicLong nanos = new AtomicLong(1_000_000_000L);

	@Test
	void letsABurstOfOneSecondsWorthGoAtOnceThenSpacesPermitsAtTheRate() {
		TokenBucket bucket = new TokenBucket(10, this.nanos::get);
		for (int i = 0; i < 10; i++) {
			assertThat(bucket.reserve()).isZero();
		}
		assertThat(bucket.reserve()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
		assertThat(bucket.reserve()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
	}

	@Test
	void refillsWithTime() {
		TokenBucket bucket = new TokenBucket(2, this.nanos::get);
		bucket.reserve();
		bucket.reserve();
		assertThat(bucket.reserve()).isPositive();
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
		assertThat(bucket.reserve()).isZero();
	}

	@Test
	void allowsLessThanOneMessagePerSecond() {
		TokenBucket bucket = new TokenBucket(0.5, this.nanos::get);
		assertThat(bucket.reserve()).isZero();
		assertThat(bucket.reserve()).isEqualTo(TimeUnit.SECONDS.toNanos(2));
	}

	@Test
	void refusesAPermitThatWouldComeAfterTheDeadlineAndGivesItBack() throws InterruptedException {
		TokenBucket bucket = new TokenBucket(1, this.nanos::get);
		assertThat(bucket.acquire(this.nanos.get())).isTrue();
		assertThat(bucket.acquire(this.nanos.get() + TimeUnit.MILLISECONDS.toNanos(500))).isFalse();
		// the refused permit was not kept: the next one is still one second away
		assertThat(bucket.reserve()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
	}

}
