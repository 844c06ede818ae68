package org.patientplatform.kit.kafka;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * The last step of the failure path: publishes the failed record to {@code dlq.messages.v1} with its
 * key, value and own headers unchanged (its {@code traceparent} too: give it a template without observation)
 * plus the coordinates and error (see {@link DeadLetterHeaders}),
 * and waits for the broker's acknowledgement. Headers of an earlier failure are replaced, never
 * appended to. If the publish fails, this throws, the offset is not committed and the record is tried
 * again: nothing is lost. A dead letter refused as too large (the producer's {@code max.request.size}, or the
 * DLQ topic's limit: a record whose own topic allows more) is sent again without its value, with
 * {@link DeadLetterHeaders#VALUE_OMITTED} (the value's size) and marked non-retryable, so the partition goes on
 * and the value stays readable at the record's coordinates; if that one is refused too (the record's own
 * headers are that large), this throws as for any failed publish.
 */
public class DeadLetterPublisher implements ConsumerRecordRecoverer, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);

	private final KafkaOperations<byte[], byte[]> kafka;

	private final PlatformKafkaProperties properties;

	private final String serviceName;

	private final NonRetryableClassifier classifier;

	private final RedriveOutcomeReporter outcomes;

	public DeadLetterPublisher(KafkaOperations<byte[], byte[]> kafka, PlatformKafkaProperties properties,
			String serviceName, NonRetryableClassifier classifier, RedriveOutcomeReporter outcomes) {
		this.kafka = kafka;
		this.properties = properties;
		this.serviceName = serviceName;
		this.classifier = classifier;
		this.outcomes = outcomes;
	}

	@Override
	public void accept(ConsumerRecord<?, ?> record, @Nullable Exception exception) {
		Throwable failure = (exception != null) ? exception : new IllegalStateException("unknown failure");
		byte[] value = value(record, failure);
		Exception refusal = send(new ProducerRecord<>(this.properties.deadLetterTopic(), null, bytes(record.key()),
				value, headers(record, failure, null)), record);
		if (refusal != null && value != null && value.length > 0 && isTooLarge(refusal)) {
			// a record its own topic took (a topic whose limit is raised past the DLQ's) that is too large for the
			// DLQ would be refused on every attempt and hold its partition: its dead letter goes without the value,
			// which stays readable at the record's coordinates, saying so and how large it was
			Exception again = send(new ProducerRecord<>(this.properties.deadLetterTopic(), null, bytes(record.key()),
					null, headers(record, failure, value.length)), record);
			if (again == null) {
				log.warn("Dead-lettered {} without its value: {} bytes of value, and the dead letter with it was "
						+ "refused as too large (the failure path's limit is {} bytes): {}", coordinates(record),
						value.length, this.properties.deadLetterMaxBytes().toBytes(), tooLarge(refusal).getMessage());
			}
			else {
				// the record's headers alone are too large: kept, and tried again, as any refused dead letter
				again.addSuppressed(refusal);
			}
			refusal = again;
		}
		if (refusal != null) {
			throw new IllegalStateException("Could not dead-letter " + coordinates(record) + "; it will be tried again",
					refusal);
		}
		this.outcomes.reportFailure(record, failure);
		log.warn("Dead-lettered {} after {} ({})", coordinates(record), unwrap(failure).getClass().getSimpleName(),
				FailureFingerprint.of(failure, this.properties.applicationPackage()));
	}

	/**
	 * Sends the dead letter and waits for the broker's acknowledgement.
	 * @return why it was not taken (the template throws at once what the producer refuses before sending, such as
	 * a record past its {@code max.request.size}), or null once it was
	 */
	private @Nullable Exception send(ProducerRecord<byte[], byte[]> deadLetter, ConsumerRecord<?, ?> record) {
		try {
			this.kafka.send(deadLetter).get(this.properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while dead-lettering " + coordinates(record), ex);
		}
		catch (ExecutionException | TimeoutException | RuntimeException ex) {
			return ex;
		}
	}

	/** True when the producer ({@code max.request.size}) or the broker (the topic's limit) refused it as too large. */
	static boolean isTooLarge(Throwable refusal) {
		return find(refusal, RecordTooLargeException.class) != null;
	}

	private static Throwable tooLarge(Throwable refusal) {
		RecordTooLargeException tooLarge = find(refusal, RecordTooLargeException.class);
		return (tooLarge != null) ? tooLarge : refusal;
	}

	/** Closes the producer of its own a template made with overrides has. */
	@Override
	public void destroy() throws Exception {
		if (this.kafka instanceof DisposableBean template) {
			template.destroy();
		}
	}

	static String coordinates(ConsumerRecord<?, ?> record) {
		return record.topic() + "-" + record.partition() + "@" + record.offset();
	}

	/**
	 * The dead letter's headers: the record's own, then the failure path's.
	 * @param omittedValueSize the size of the value the dead letter goes without, or null when it carries it
	 */
	private Headers headers(ConsumerRecord<?, ?> record, Throwable failure, @Nullable Integer omittedValueSize) {
		Headers headers = new RecordHeaders();
		String entryId = null;
		int attempt = 1;
		for (Header header : record.headers()) {
			if (header.key().equals(DeadLetterHeaders.ENTRY_ID)) {
				entryId = text(header.value());
			}
			else if (header.key().equals(DeadLetterHeaders.ATTEMPT)) {
				attempt = parseAttempt(header.value()) + 1;
			}
			if (!DeadLetterHeaders.isOwned(header.key()) && !isDeserializerHeader(header.key())) {
				headers.add(header);
			}
		}
		Throwable cause = FailureFingerprint.rootCause(failure);
		Throwable reported = unwrap(failure);
		add(headers, DeadLetterHeaders.ORIGINAL_TOPIC, record.topic());
		headers.add(DeadLetterHeaders.ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(record.partition()).array());
		headers.add(DeadLetterHeaders.ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(record.offset()).array());
		headers.add(DeadLetterHeaders.ORIGINAL_TIMESTAMP, ByteBuffer.allocate(8).putLong(record.timestamp()).array());
		add(headers, DeadLetterHeaders.ORIGINAL_TIMESTAMP_TYPE, record.timestampType().toString());
		String group = ListenerContext.groupId();
		add(headers, DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, group);
		add(headers, DeadLetterHeaders.EXCEPTION_FQCN, reported.getClass().getName());
		add(headers, DeadLetterHeaders.EXCEPTION_CAUSE_FQCN, cause.getClass().getName());
		add(headers, DeadLetterHeaders.EXCEPTION_MESSAGE, bounded(String.valueOf(reported.getMessage())));
		add(headers, DeadLetterHeaders.EXCEPTION_STACKTRACE, boundedStackTrace(reported));
		add(headers, DeadLetterHeaders.SOURCE_SERVICE, this.serviceName);
		add(headers, DeadLetterHeaders.SOURCE_ROLE, roleOf(group));
		add(headers, DeadLetterHeaders.FINGERPRINT,
				FailureFingerprint.of(failure, this.properties.applicationPackage()));
		add(headers, DeadLetterHeaders.ATTEMPT, Integer.toString(attempt));
		// without its value, the record cannot be redriven as it is: only an operator, who reads the value at its
		// coordinates, can send it (edited) again
		add(headers, DeadLetterHeaders.NON_RETRYABLE,
				Boolean.toString(omittedValueSize != null || this.classifier.isNonRetryable(failure)));
		if (omittedValueSize != null) {
			add(headers, DeadLetterHeaders.VALUE_OMITTED, Integer.toString(omittedValueSize));
		}
		if (entryId != null) {
			add(headers, DeadLetterHeaders.ENTRY_ID, entryId);
		}
		return headers;
	}

	/** Group ids are {@code <service>.<role>[.<purpose>]}; the role is the second part. */
	static String roleOf(@Nullable String groupId) {
		if (groupId == null) {
			return "unknown";
		}
		String[] parts = groupId.split("\\.");
		return (parts.length > 1) ? parts[1] : groupId;
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable current = failure;
		while (current.getCause() != null
				&& current.getClass().getName().startsWith("org.springframework.kafka.listener.")) {
			current = current.getCause();
		}
		return current;
	}

	private static boolean isDeserializerHeader(String key) {
		return key.startsWith("springDeserializerException");
	}

	private byte[] value(ConsumerRecord<?, ?> record, Throwable failure) {
		DeserializationException deserialization = find(failure, DeserializationException.class);
		if (deserialization != null && deserialization.getData() != null) {
			return deserialization.getData();
		}
		return bytes(record.value());
	}

	private static <T extends Throwable> @Nullable T find(Throwable failure, Class<T> type) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
		}
		return null;
	}

	private static byte @Nullable [] bytes(@Nullable Object value) {
		if (value == null) {
			return null;
		}
		if (value instanceof byte[] raw) {
			return raw;
		}
		if (value instanceof String text) {
			return text.getBytes(StandardCharsets.UTF_8);
		}
		throw new IllegalStateException("The failure path needs byte[] or String records, not "
				+ value.getClass().getName() + "; consume bytes and map them in the listener");
	}

	private String boundedStackTrace(Throwable failure) {
		StringWriter out = new StringWriter();
		failure.printStackTrace(new PrintWriter(out));
		String trace = out.toString();
		int max = this.properties.maxStacktraceBytes();
		return (trace.length() > max) ? trace.substring(0, max) + "\n\t... (truncated)" : trace;
	}

	/** An exception's message, which may quote its input (a whole payload), within the stack trace's bound. */
	private String bounded(String message) {
		int max = this.properties.maxStacktraceBytes();
		return (message.length() > max) ? message.substring(0, max) + " ... (truncated)" : message;
	}

	private static int parseAttempt(byte[] value) {
		try {
			return Integer.parseInt(text(value).trim());
		}
		catch (NumberFormatException ex) {
			return 1;
		}
	}

	private static String text(byte[] value) {
		return new String(value, StandardCharsets.UTF_8);
	}

	private static void add(Headers headers, String key, @Nullable String value) {
		if (value != null) {
			headers.add(key, value.getBytes(StandardCharsets.UTF_8));
		}
	}

}
