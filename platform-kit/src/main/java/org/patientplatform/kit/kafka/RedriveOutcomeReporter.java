package org.patientplatform.kit.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.events.PlatformEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Reports what became of a record the DLQ service redrove (it carries a {@code dlq-entry-id} header):
 * success once the listener returns, failure when the failure path dead-letters it again. The outcome
 * goes to {@code dlq.retry-outcomes.v1}, keyed by the entry id, as event {@value #TYPE}.
 */
public class RedriveOutcomeReporter implements RecordInterceptor<Object, Object> {

	/** The {@code ce_type} of an outcome. */
	public static final String TYPE = RedriveOutcome.TYPE;

	private static final Logger log = LoggerFactory.getLogger(RedriveOutcomeReporter.class);

	private final KafkaOperations<byte[], byte[]> kafka;

	private final PlatformEvents events;

	private final PlatformKafkaProperties properties;

	private final String serviceName;

	public RedriveOutcomeReporter(KafkaOperations<byte[], byte[]> kafka, PlatformEvents events,
			PlatformKafkaProperties properties, String serviceName) {
		this.kafka = kafka;
		this.events = events;
		this.properties = properties;
		this.serviceName = serviceName;
	}

	@Override
	public @Nullable ConsumerRecord<Object, Object> intercept(ConsumerRecord<Object, Object> record,
			Consumer<Object, Object> consumer) {
		return record;
	}

	@Override
	public void success(ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
		String entryId = entryId(record);
		if (entryId != null) {
			report(entryId, record, RedriveOutcome.SUCCEEDED, null);
		}
	}

	/** Called by the failure path after a redriven record failed again and was dead-lettered. */
	void reportFailure(ConsumerRecord<?, ?> record, Throwable failure) {
		String entryId = entryId(record);
		if (entryId != null) {
			report(entryId, record, RedriveOutcome.FAILED, failure);
		}
	}

	private void report(String entryId, ConsumerRecord<?, ?> record, String outcome, @Nullable Throwable failure) {
		Throwable cause = (failure != null) ? FailureFingerprint.rootCause(failure) : null;
		RedriveOutcome data = new RedriveOutcome(entryId, outcome, this.serviceName,
				String.valueOf(ListenerContext.groupId()), record.topic(), record.partition(), record.offset(),
				Instant.now(), (cause != null) ? cause.getClass().getName() : null,
				(cause != null) ? String.valueOf(cause.getMessage()) : null);
		CloudEvent event = this.events.create(TYPE, entryId, data);
		RecordHeaders headers = new RecordHeaders();
		byte[] value = this.events.serialize(this.properties.retryOutcomesTopic(), event, headers);
		try {
			this.kafka
				.send(new ProducerRecord<>(this.properties.retryOutcomesTopic(), null,
						entryId.getBytes(StandardCharsets.UTF_8), value, headers))
				.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (java.util.concurrent.ExecutionException ex) {
			// the entry stays RETRYING and the DLQ service's retry timeout takes it from there
			log.warn("Could not report redrive outcome {} of entry {}: {}", outcome, entryId, ex.getCause().toString());
		}
	}

	private static @Nullable String entryId(ConsumerRecord<?, ?> record) {
		Header header = record.headers().lastHeader(DeadLetterHeaders.ENTRY_ID);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

}
