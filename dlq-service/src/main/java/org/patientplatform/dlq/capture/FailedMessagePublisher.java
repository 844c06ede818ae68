package org.patientplatform.dlq.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.kit.kafka.PlatformKafkaProperties;

import org.springframework.http.HttpStatus;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Publishes a failed message reported over HTTP to {@code dlq.messages.v1}, with the headers the
 * platform's failure path writes (numbers as big-endian binary, as Spring Kafka's recoverer writes
 * them), and waits for the broker's acknowledgement.
 */
@Component
class FailedMessagePublisher {

	private final KafkaTemplate<byte[], byte[]> kafka;

	private final DlqProperties properties;

	FailedMessagePublisher(ProducerFactory<byte[], byte[]> producers, DlqProperties properties,
			PlatformKafkaProperties failurePath) {
		// the application's producer without an observation: the record carries the headers the service
		// reported, its original traceparent included, which the HTTP request's trace context would replace
		// (a redrive sends that traceparent back with the record, linking it to the original trace); and the
		// failure path's max.request.size: a body within the request limit (1 MiB) with its headers is more
		// than the producer's default, which refused it with a 500
		this.kafka = new KafkaTemplate<>(producers, Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
				Math.toIntExact(failurePath.deadLetterMaxBytes().toBytes())));
		this.kafka.setObservationEnabled(false);
		this.properties = properties;
	}

	RecordMetadata publish(FailedMessage message) {
		Headers headers = new RecordHeaders();
		if (message.headers() != null) {
			message.headers().forEach((header) -> headers.add(header.key(), header.bytes()));
		}
		add(headers, DeadLetterHeaders.ORIGINAL_TOPIC, message.topic());
		headers.add(DeadLetterHeaders.ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(message.partition()).array());
		headers.add(DeadLetterHeaders.ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(message.offset()).array());
		if (message.timestamp() != null) {
			headers.add(DeadLetterHeaders.ORIGINAL_TIMESTAMP,
					ByteBuffer.allocate(8).putLong(message.timestamp().toEpochMilli()).array());
		}
		add(headers, DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, message.consumerGroup());
		add(headers, DeadLetterHeaders.EXCEPTION_FQCN, message.errorClass());
		add(headers, DeadLetterHeaders.EXCEPTION_CAUSE_FQCN,
				(message.errorCauseClass() != null) ? message.errorCauseClass() : message.errorClass());
		add(headers, DeadLetterHeaders.EXCEPTION_MESSAGE, message.errorMessage());
		add(headers, DeadLetterHeaders.EXCEPTION_STACKTRACE, message.errorStacktrace());
		add(headers, DeadLetterHeaders.SOURCE_SERVICE, message.sourceService());
		add(headers, DeadLetterHeaders.SOURCE_ROLE,
				(message.sourceRole() != null) ? message.sourceRole() : roleOf(message.consumerGroup()));
		add(headers, DeadLetterHeaders.FINGERPRINT,
				(message.fingerprint() != null) ? message.fingerprint()
						: CapturedRecord.derivedFingerprint(message.sourceService(), message.topic(),
								message.errorClass(), message.errorCauseClass()));
		add(headers, DeadLetterHeaders.ATTEMPT, "1");
		add(headers, DeadLetterHeaders.NON_RETRYABLE, Boolean.toString(Boolean.TRUE.equals(message.nonRetryable())));
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(this.properties.topics().messages(), null,
				message.keyBytes(), message.payloadBytes(), headers);
		try {
			return this.kafka.send(record).get(10, TimeUnit.SECONDS).getRecordMetadata();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw unavailable();
		}
		catch (ExecutionException | TimeoutException | KafkaException ex) {
			if (tooLarge(ex)) {
				// the topic's limit, not a passing failure: sent again it is refused again
				throw new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE,
						"The failed message with its headers is larger than the DLQ topic takes; "
								+ "send a shorter payload, stack trace or error message.");
			}
			throw unavailable();
		}
	}

	private static boolean tooLarge(Exception ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof RecordTooLargeException) {
				return true;
			}
		}
		return false;
	}

	private static ResponseStatusException unavailable() {
		return new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
				"The failed message could not be published now; try again.");
	}

	/** Group ids are {@code <service>.<role>[.<purpose>]}, as the platform's failure path reads them. */
	private static String roleOf(String group) {
		String[] parts = group.split("\\.");
		return (parts.length > 1) ? parts[1] : group;
	}

	private static void add(Headers headers, String key, @Nullable String value) {
		if (value != null) {
			headers.add(key, value.getBytes(StandardCharsets.UTF_8));
		}
	}

}
