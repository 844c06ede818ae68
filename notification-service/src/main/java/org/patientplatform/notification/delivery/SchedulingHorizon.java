package org.patientplatform.notification.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * How far ahead a notification may be held ({@code notBefore}): {@code notification.requests.max-not-before-ahead}
 * (366 days by default). One further out is refused where it arrives (a 400, or dead-lettered from Kafka): a typo
 * such as the year 9999, or 2062 for 2026, would otherwise wait {@code SCHEDULED} for decades, since expiry counts
 * from {@code notBefore}, and the caller would never hear of it.
 */
@Component
public class SchedulingHorizon {

	private final Duration maxAhead;

	private final Clock clock;

	SchedulingHorizon(@Value("${notification.requests.max-not-before-ahead:P366D}") Duration maxAhead,
			ObjectProvider<Clock> clock) {
		if (maxAhead.isNegative() || maxAhead.isZero()) {
			throw new IllegalArgumentException("notification.requests.max-not-before-ahead must be positive, not "
					+ maxAhead);
		}
		this.maxAhead = maxAhead;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
	}

	/**
	 * @param notBefore a requested hold, or null
	 * @return why it is refused, or null when it is within the horizon (or not set)
	 */
	public @Nullable String refusal(@Nullable Instant notBefore) {
		if (notBefore == null) {
			return null;
		}
		Instant latest = this.clock.instant().plus(this.maxAhead);
		if (!notBefore.isAfter(latest)) {
			return null;
		}
		return "notBefore " + notBefore + " is more than " + this.maxAhead.toDays()
				+ " days ahead; a notification is held at most that long (the latest now is " + latest + ")";
	}

}
