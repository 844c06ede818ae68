package org.patientplatform.kit.testapp;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.kit.consumption.ProcessedMessages;
import org.patientplatform.kit.events.IncomingEvent;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

@Component
@ConditionalOnRole("consumer-test")
public class ThingListener {

	public static final String TOPIC = "kit.things.v1";

	/**
	 * A topic whose limit (12 MiB) is past the DLQ's (8 MiB), as one carrying an HL7 result with a PDF may be: one
	 * partition, so a record behind another is on its partition.
	 */
	public static final String LARGE_TOPIC = "kit.large-things.v1";

	public static final String GROUP = "kit-test.consumer-test";

	private final PlatformEvents events;

	private final ProcessedMessages processed;

	private final JdbcTemplate jdbc;

	private final List<String> values = new CopyOnWriteArrayList<>();

	private final Map<String, String> traceIds = new ConcurrentHashMap<>();

	/** Attempts that meet a database outage before it ends: more than the quick retries. */
	public static final int DATABASE_DOWN_ATTEMPTS = 6;

	private final Map<String, Integer> outages = new ConcurrentHashMap<>();

	private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

	private final Tracer tracer;

	ThingListener(PlatformEvents events, ProcessedMessages processed, JdbcTemplate jdbc, Tracer tracer) {
		this.tracer = tracer;
		this.events = events;
		this.processed = processed;
		this.jdbc = jdbc;
	}

	@KafkaListener(id = "kit-things", topics = { TOPIC, LARGE_TOPIC }, groupId = GROUP)
	void on(ConsumerRecord<byte[], byte[]> record) {
		IncomingEvent<Thing> event = this.events.read(record, Thing.TYPE, Thing.class);
		if ("database-down".equals(event.data().fail())
				&& this.outages.merge(event.id(), 1, Integer::sum) <= DATABASE_DOWN_ATTEMPTS) {
			throw new CannotGetJdbcConnectionException("connection refused (simulated outage)");
		}
		this.attempts.merge(event.id(), 1, Integer::sum);
		if ("not-yet".equals(event.data().fail())) {
			throw new NotYetThereException("thing " + event.id() + " refers to one that has not arrived yet");
		}
		if ("retryable".equals(event.data().fail())) {
			throw new IllegalStateException("downstream unavailable for thing " + event.id());
		}
		this.processed.processOnce(GROUP, event, () -> this.jdbc
			.update("INSERT INTO test_effect (event_id, value) VALUES (?, ?)", event.id(), event.data().value()));
		this.values.add(event.data().value());
		Span span = this.tracer.currentSpan();
		if (span != null) {
			this.traceIds.put(event.data().value(), span.context().traceId());
		}
	}

	/** How many times the listener was given each event (by event id), quick retries included. */
	public int attempts(String eventId) {
		return this.attempts.getOrDefault(eventId, 0);
	}

	/** A failure that only a later retry can mend (configured {@code dead-letter-at-once}). */
	public static class NotYetThereException extends RuntimeException {

		NotYetThereException(String message) {
			super(message);
		}

	}

	/** The trace id each value was processed in. */
	public Map<String, String> traceIds() {
		return this.traceIds;
	}

	public List<String> values() {
		return this.values;
	}

}
