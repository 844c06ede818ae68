package org.patientplatform.patient.lis;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * {@code patient.lis.messages{type,outcome}}: what became of each message of the LIS feed, the seed's "LIS
 * sync status" and "patient registration success rates". {@code type} is what the message is
 * ({@code demographics}, {@code orders}, {@code results}, {@code unhandled}, or {@code unreadable} when it could
 * not be read as HL7 this service takes); {@code outcome} is {@code registered}, {@code updated},
 * {@code stale}, {@code applied}, {@code parked} (orders or results of a patient not known yet, kept),
 * {@code kept} (a type no feature handles yet), {@code duplicate} or {@code rejected} (dead-lettered). A
 * fixed set: the LIS's own message codes never become tags. Every pair that can happen exists from the
 * start, so a reject rate is 0, not absent.
 */
@Component
class LisMetrics {

	private static final Map<String, List<String>> OUTCOMES = Map.of(
			"demographics", List.of("registered", "updated", "stale", "duplicate", "rejected"),
			"orders", List.of("applied", "parked", "duplicate", "rejected"),
			"results", List.of("applied", "parked", "duplicate", "rejected"),
			"unhandled", List.of("kept", "duplicate"),
			"unreadable", List.of("rejected"));

	private final Map<String, Counter> counters = new HashMap<>();

	LisMetrics(MeterRegistry registry) {
		OUTCOMES.forEach((type, outcomes) -> outcomes.forEach((outcome) -> this.counters.put(type + "/" + outcome,
				Counter.builder("patient.lis.messages")
					.description("LIS messages by what they are and what became of them")
					.tag("type", type)
					.tag("outcome", outcome)
					.register(registry))));
	}

	static String type(LisMessage message) {
		return switch (message) {
			case LisMessage.Demographics demographics -> "demographics";
			case LisMessage.Orders orders -> "orders";
			case LisMessage.Results results -> "results";
			case LisMessage.Unhandled unhandled -> "unhandled";
		};
	}

	/** Counts one message; a pair outside the fixed set is not counted. */
	void count(String type, String outcome) {
		Counter counter = this.counters.get(type + "/" + outcome);
		if (counter != null) {
			counter.increment();
		}
	}

}
