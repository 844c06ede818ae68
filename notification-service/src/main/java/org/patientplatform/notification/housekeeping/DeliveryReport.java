package org.patientplatform.notification.housekeeping;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.DeliveryState;

/**
 * The deliveries of the notifications created on one UTC day, by type, channel and state,
 * as they stood when the report was built.
 *
 * @param notifications notifications created that day
 * @param lines one per type and channel; channel {@code NONE} counts the notifications
 * that got no delivery at all (waiting for a contact, no usable channel), by their state
 * @param total all lines together
 */
record DeliveryReport(LocalDate day, Instant builtAt, long notifications, List<Line> lines, Line total) {

	static final String CSV_HEADER = "type,channel,count,"
			+ java.util.Arrays.stream(DeliveryState.values()).map((s) -> s.name().toLowerCase()).collect(
					Collectors.joining(","))
			+ ",delivery_rate";

	/** The report as CSV: a header, a line per type and channel, and the total as {@code *,*}. */
	String toCsv() {
		StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
		for (Line line : this.lines) {
			line.appendCsv(csv);
		}
		this.total.appendCsv(csv);
		return csv.toString();
	}

	/**
	 * The deliveries of one type on one channel.
	 *
	 * @param count how many (notifications, for channel {@code NONE})
	 * @param states how many are in each state, every state listed
	 * @param deliveryRate the share the provider took or confirmed (sent, delivered, read)
	 * of those that ended one way or the other (those plus failed and undeliverable);
	 * null while none has
	 */
	record Line(String type, String channel, long count, Map<DeliveryState, Long> states,
			@Nullable Double deliveryRate) {

		static Line of(String type, String channel, Map<DeliveryState, Long> counts) {
			Map<DeliveryState, Long> states = new LinkedHashMap<>();
			for (DeliveryState state : DeliveryState.values()) {
				states.put(state, counts.getOrDefault(state, 0L));
			}
			long count = states.values().stream().mapToLong(Long::longValue).sum();
			long reached = states.get(DeliveryState.SENT) + states.get(DeliveryState.DELIVERED)
					+ states.get(DeliveryState.READ);
			long ended = reached + states.get(DeliveryState.FAILED) + states.get(DeliveryState.UNDELIVERABLE);
			Double rate = (ended > 0) ? Math.round(10_000.0 * reached / ended) / 10_000.0 : null;
			return new Line(type, channel, count, states, rate);
		}

		private void appendCsv(StringBuilder csv) {
			csv.append(field(this.type)).append(',').append(field(this.channel)).append(',').append(this.count);
			for (DeliveryState state : DeliveryState.values()) {
				csv.append(',').append(this.states.getOrDefault(state, 0L));
			}
			csv.append(',').append((this.deliveryRate != null) ? this.deliveryRate.toString() : "").append('\n');
		}

		private static String field(String value) {
			boolean quote = value.contains(",") || value.contains("\"") || value.contains("\n");
			return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
		}

	}

}
