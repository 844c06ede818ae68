package org.patientplatform.booking.bookings;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.patientplatform.booking.AfterCommit;

import org.springframework.stereotype.Component;

/**
 * {@code booking.requests{source,outcome}}: requests for a place, counted once their transaction commits, by
 * where they came from ({@code api}, {@code topic}) and what became of them ({@code confirmed},
 * {@code rejected_full}, {@code rejected_already_booked}, {@code rejected_unknown_slot},
 * {@code rejected_slot_started}): the seed's "booking success rates". Every series exists from the start, so
 * a rate over them is 0, not absent, before the first rejection. A redelivered request already recorded is not
 * counted again.
 */
@Component
class BookingMetrics {

	static final List<BookingStatus> OUTCOMES = List.of(BookingStatus.CONFIRMED, BookingStatus.REJECTED_FULL,
			BookingStatus.REJECTED_ALREADY_BOOKED, BookingStatus.REJECTED_UNKNOWN_SLOT,
			BookingStatus.REJECTED_SLOT_STARTED);

	private final Map<BookingStatus, Counter> api = new EnumMap<>(BookingStatus.class);

	private final Map<BookingStatus, Counter> topic = new EnumMap<>(BookingStatus.class);

	BookingMetrics(MeterRegistry registry) {
		for (BookingStatus outcome : OUTCOMES) {
			this.api.put(outcome, counter(registry, "api", outcome));
			this.topic.put(outcome, counter(registry, "topic", outcome));
		}
	}

	private static Counter counter(MeterRegistry registry, String source, BookingStatus outcome) {
		return Counter.builder("booking.requests")
			.description("Requests for a place, by source and outcome")
			.tag("source", source)
			.tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
			.register(registry);
	}

	/** Counts the request when the current transaction commits (at once without one). */
	void requested(BookingAttempt attempt, boolean fromTopic) {
		BookingStatus outcome = switch (attempt) {
			case BookingAttempt.Confirmed confirmed -> BookingStatus.CONFIRMED;
			case BookingAttempt.Rejected rejected -> rejected.status();
		};
		Counter counter = (fromTopic ? this.topic : this.api).get(outcome);
		if (counter == null) {
			return;
		}
		AfterCommit.run(counter::increment);
	}

}
