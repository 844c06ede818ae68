package org.patientplatform.patient.lis;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.patientplatform.kit.metrics.CachedReading;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * {@code patient.lis.messages{type,outcome}}: what became of each message of the LIS feed, the seed's "LIS
 * sync status" and "patient registration success rates". {@code type} is what the message is
 * ({@code demographics}, {@code orders}, {@code results}, {@code unhandled}, or {@code unreadable} when it could
 * not be read as HL7 this service takes: a message of a type it reads that breaks a rule, a birth date that is no
 * date, is {@code rejected} under its type); {@code outcome} is {@code registered}, {@code updated},
 * {@code stale}, {@code applied}, {@code parked} (orders or results of a patient not known yet, kept),
 * {@code kept} (a type no feature handles yet), {@code duplicate} or {@code rejected} (dead-lettered). A
 * fixed set: the LIS's own message codes never become tags. Every pair that can happen exists from the
 * start, so a reject rate is 0, not absent. {@code patient.lis.kept{reason}}: the messages kept instead of
 * applied, now ({@link #kept(String)}).
 */
@Component
class LisMetrics {

	private static final Map<String, List<String>> OUTCOMES = Map.of(
			"demographics", List.of("registered", "updated", "stale", "duplicate", "rejected"),
			"orders", List.of("applied", "parked", "duplicate", "rejected"),
			"results", List.of("applied", "parked", "duplicate", "rejected"),
			"merges", List.of("merged", "duplicate", "rejected"),
			"unhandled", List.of("kept", "duplicate"),
			"unreadable", List.of("rejected"));

	private static final List<String> KEPT_REASONS = List.of(LisInbox.UNHANDLED_TYPE, LisInbox.UNKNOWN_PATIENT,
			LisInbox.ORDER_CONFLICT, LisInbox.REFUSED_ON_REPLAY);

	private final Map<String, Counter> counters = new HashMap<>();

	private final CachedReading<Map<String, Long>> kept;

	LisMetrics(MeterRegistry registry, JdbcClient jdbc) {
		this.kept = new CachedReading<>("the kept LIS messages", Duration.ofSeconds(10), Clock.systemUTC(), () -> {
			Map<String, Long> counts = new HashMap<>();
			jdbc.sql("SELECT reason, count(*) AS kept FROM lis_unhandled_message GROUP BY reason").query((rs) -> {
				counts.put(rs.getString("reason"), rs.getLong("kept"));
			});
			return counts;
		});
		for (String reason : KEPT_REASONS) {
			Gauge.builder("patient.lis.kept", this, (metrics) -> metrics.kept(reason))
				.description("LIS messages kept instead of applied, by reason (from the database)")
				.tag("reason", reason)
				.register(registry);
		}
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
			case LisMessage.Merge merge -> "merges";
			case LisMessage.Unhandled unhandled -> "unhandled";
		};
	}

	/**
	 * The type a message of this HL7 type (MSH-9, {@code ADT^A04}) is counted under when it is refused:
	 * {@code demographics}, {@code orders}, {@code merges} or {@code results} for the types this service reads (it parsed, and a field
	 * broke a rule), else {@code unreadable} (a type it does not take).
	 */
	static String refusedType(String messageType) {
		if (Hl7MessageReader.DEMOGRAPHICS.contains(messageType)) {
			return "demographics";
		}
		if (Hl7MessageReader.ORDERS.contains(messageType)) {
			return "orders";
		}
		if (Hl7MessageReader.MERGES.contains(messageType)) {
			return "merges";
		}
		return Hl7MessageReader.RESULTS.contains(messageType) ? "results" : "unreadable";
	}

	/**
	 * The messages kept in {@code lis_unhandled_message} with this reason: waiting for their patient, naming
	 * another patient's order or refused when replayed (they wait for someone to settle them), or of a type no feature
	 * handles. Read at most every 10 seconds ({@link CachedReading}).
	 */
	double kept(String reason) {
		Map<String, Long> counts = this.kept.get();
		return (counts != null) ? counts.getOrDefault(reason, 0L) : Double.NaN;
	}

	/** Counts one message; a pair outside the fixed set is not counted. */
	void count(String type, String outcome) {
		Counter counter = this.counters.get(type + "/" + outcome);
		if (counter != null) {
			counter.increment();
		}
	}

}
