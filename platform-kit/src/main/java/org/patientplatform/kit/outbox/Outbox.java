package org.patientplatform.kit.outbox;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Records an event to publish, in the caller's database transaction: if the transaction rolls back
 * the event is never sent; once it commits, the {@link OutboxRelay} sends it even if this process
 * dies right after. The current trace travels with the event as W3C {@code traceparent}.
 */
public class Outbox {

	private final JdbcTemplate jdbc;

	private final JsonMapper json;

	private final ObjectProvider<Tracer> tracer;

	public Outbox(JdbcTemplate jdbc, JsonMapper json, ObjectProvider<Tracer> tracer) {
		this.jdbc = jdbc;
		this.json = json;
		this.tracer = tracer;
	}

	/**
	 * Appends an event; must run inside a transaction. Its {@code ce_time} is when it is appended
	 * ({@code clock_timestamp()}, not the transaction's start): after the locks the change took, so two changes of one
	 * aggregate in two transactions are timed in the order they were made, as a consumer that keeps the newer of two
	 * changes by their time needs (the notification service's contacts), and as the relay sends them (in id order).
	 * @param topic the Kafka topic
	 * @param key the record key (the aggregate id that needs ordering); also the CloudEvents subject
	 * @param type the {@code ce_type}, {@code <service>.<EventName>.v1}
	 * @param data the event record, written as JSON
	 * @return the event id ({@code ce_id})
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public UUID append(String topic, String key, String type, Object data) {
		UUID eventId = UUID.randomUUID();
		this.jdbc.update("""
				INSERT INTO outbox_event (event_id, topic, record_key, event_type, subject, data, traceparent, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, clock_timestamp())
				""", eventId, topic, key, type, key, this.json.writeValueAsBytes(data), traceparent());
		return eventId;
	}

	private @Nullable String traceparent() {
		Tracer current = this.tracer.getIfAvailable();
		Span span = (current != null) ? current.currentSpan() : null;
		if (span == null) {
			return null;
		}
		return "00-" + span.context().traceId() + "-" + span.context().spanId() + "-"
				+ (Boolean.TRUE.equals(span.context().sampled()) ? "01" : "00");
	}

}
