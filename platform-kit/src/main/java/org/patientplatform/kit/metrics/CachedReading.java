package org.patientplatform.kit.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value a gauge reads from the database, read again at most once per {@code maxAge} whatever the scrape
 * rate (every pod of a service reads the same table, so dashboards take the {@code max} across pods). Null
 * while the last read failed, which gauges report as NaN: a gap in the graph, not a value that looks fine.
 * A failure is logged once, until a read succeeds again.
 */
public final class CachedReading<T> {

	private static final Logger log = LoggerFactory.getLogger(CachedReading.class);

	private final String what;

	private final Duration maxAge;

	private final Clock clock;

	private final Supplier<T> read;

	private @Nullable T value;

	private Instant readAt = Instant.MIN;

	private boolean failed;

	/**
	 * @param what what is read, for the log (e.g. "the pending jobs")
	 */
	public CachedReading(String what, Duration maxAge, Clock clock, Supplier<T> read) {
		this.what = what;
		this.maxAge = maxAge;
		this.clock = clock;
		this.read = read;
	}

	/** The value, read again when older than the maximum age; null while it cannot be read. */
	public synchronized @Nullable T get() {
		Instant now = this.clock.instant();
		if (now.isAfter(this.readAt.plus(this.maxAge))) {
			this.readAt = now;
			try {
				this.value = this.read.get();
				this.failed = false;
			}
			catch (RuntimeException ex) {
				if (!this.failed) {
					log.warn("Could not read {}: {}", this.what, ex.toString());
				}
				this.failed = true;
				this.value = null;
			}
		}
		return this.value;
	}

}
