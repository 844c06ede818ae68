package org.patientplatform.kit.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.MovableClock;

import static org.assertj.core.api.Assertions.assertThat;

class CachedReadingTests {

	private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));

	private final AtomicInteger reads = new AtomicInteger();

	private volatile boolean databaseDown;

	private final CachedReading<Integer> reading = new CachedReading<>("a count", Duration.ofSeconds(5), this.clock,
			() -> {
				if (this.databaseDown) {
					throw new IllegalStateException("connection refused");
				}
				return this.reads.incrementAndGet();
			});

	@Test
	void readsAtMostOncePerMaximumAgeWhateverTheScrapeRate() {
		assertThat(this.reading.get()).isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(4));
		assertThat(this.reading.get()).isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(2));
		assertThat(this.reading.get()).isEqualTo(2);
		assertThat(this.reads).hasValue(2);
	}

	@Test
	void isNullWhileTheReadFailsNotTheLastValueThenReadsAgain() {
		assertThat(this.reading.get()).isEqualTo(1);
		this.databaseDown = true;
		this.clock.advance(Duration.ofSeconds(6));
		// a gauge shows a gap, not a stale count that looks fine
		assertThat(this.reading.get()).isNull();
		this.databaseDown = false;
		assertThat(this.reading.get()).as("not before the maximum age").isNull();
		this.clock.advance(Duration.ofSeconds(6));
		assertThat(this.reading.get()).isEqualTo(2);
	}

}
