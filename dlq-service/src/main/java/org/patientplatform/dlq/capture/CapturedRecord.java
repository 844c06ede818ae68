package org.patientplatform.dlq.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.patientplatform.kit.kafka.NonRetryableClassifier;
import tools.jackson.core.io.JsonStringEncoder;

import org.springframework.kafka.support.KafkaHeaders;

/**
 * What one record on {@code dlq.messages.v1} says: a failed original record with its coordinates and
 * error, or, when it lacks what a failed-record message must carry, a raw record with the reason.
 * Numbers are read as Spring Kafka writes them (big-endian int and long) or as decimal text (what a
 * person types into a console producer). The stack trace stays the UTF-8 the record carries:
 * {@link StackTraces} reads each distinct one of a batch once. A record the failure path sent without its value,
 * too large for the DLQ ({@code dlq-value-omitted}), has its {@code omittedValueSize}: it is stored without a
 * payload but with that size, which is how an entry tells it from a tombstone (and never redriven as one).
 */
record CapturedRecord(@Nullable String rawReason, @Nullable String sourceService, @Nullable String sourceRole,
		@Nullable String consumerGroup, @Nullable String originalTopic, @Nullable Integer originalPartition,
		@Nullable Long originalOffset, @Nullable Instant originalTimestamp, byte @Nullable [] key,
		List<Map<String, String>> headers, byte @Nullable [] payload, @Nullable String errorClass,
		@Nullable String errorCauseClass, @Nullable String errorMessage, byte @Nullable [] errorStacktrace,
		@Nullable String fingerprint, boolean nonRetryable, int attempt, int dlqPartition, long dlqOffset,
		Instant receivedAt, @Nullable UUID entryId, @Nullable Integer omittedValueSize) {

	/**
	 * The largest {@code dlq-attempt} taken; a larger one is left out as a value that is not a number is. No
	 * record fails that often, and the entry's count must stay far from the integer's end: a new failure adds
	 * one to it (at 2,147,483,647 that overflowed, and the same record's next failure became a raw entry).
	 */
	static final int MAX_ATTEMPT = 1_000_000;

	/** 0001-01-01T00:00:00Z, the first instant of the years a {@code timestamptz} here is allowed to hold. */
	private static final long FIRST_STORABLE_MILLIS = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();

	/** The last millisecond of the year 294276, PostgreSQL's last year of {@code timestamptz}. */
	private static final long LAST_STORABLE_MILLIS = Instant.parse("+294277-01-01T00:00:00Z").toEpochMilli() - 1;

	/**
	 * The exception classes no retry can mend, for a failed record that does not say whether it can be
	 * retried ({@code dlq-non-retryable}, which the platform's failure path always writes): the platform's
	 * own, and those Spring Kafka's {@code DefaultErrorHandler} does not retry.
	 */
	private static final Set<String> NON_RETRYABLE_CLASSES = nonRetryableClasses();

	/**
	 * The value's size as the entry stores it: the payload's, or the omitted value's; 0 for no value (a tombstone).
	 * An entry without a payload but with a size is one whose value was omitted.
	 */
	int payloadSize() {
		if (this.payload != null) {
			return this.payload.length;
		}
		return (this.omittedValueSize != null) ? this.omittedValueSize : 0;
	}

	boolean isRaw() {
		return this.rawReason != null;
	}

	/** The same record, counted as the given attempt. */
	CapturedRecord withAttempt(int attempt) {
		return new CapturedRecord(this.rawReason, this.sourceService, this.sourceRole, this.consumerGroup,
				this.originalTopic, this.originalPartition, this.originalOffset, this.originalTimestamp, this.key,
				this.headers, this.payload, this.errorClass, this.errorCauseClass, this.errorMessage,
				this.errorStacktrace, this.fingerprint, this.nonRetryable, attempt, this.dlqPartition, this.dlqOffset,
				this.receivedAt, this.entryId, this.omittedValueSize);
	}

	/**
	 * The original headers as the JSON array the entry stores ({@code [{"key": …, "value": base64}]}),
	 * written directly: at incident volume a general-purpose serializer cost a tenth of the capture thread.
	 */
	String headersJson() {
		StringBuilder json = new StringBuilder(2 + 64 * this.headers.size()).append('[');
		JsonStringEncoder encoder = JsonStringEncoder.getInstance();
		for (int i = 0; i < this.headers.size(); i++) {
			Map<String, String> header = this.headers.get(i);
			json.append((i > 0) ? ",{\"key\":\"" : "{\"key\":\"");
			encoder.quoteAsString(String.valueOf(header.get("key")), json);
			String keyBase64 = header.get(StoredHeader.KEY_BASE64);
			if (keyBase64 != null) {
				json.append("\",\"").append(StoredHeader.KEY_BASE64).append("\":\"");
				encoder.quoteAsString(keyBase64, json);
			}
			String value = header.get("value");
			if (value == null) {
				json.append("\",\"value\":null}");
			}
			else {
				json.append("\",\"value\":\"");
				encoder.quoteAsString(value, json);
				json.append("\"}");
			}
		}
		return json.append(']').toString();
	}

	/**
	 * A header as stored: its name, and its value's bytes in base64, or no value (null) when it had none. A name
	 * holding a NUL, which PostgreSQL cannot store in jsonb, is stored with U+FFFD in its place as {@code key} (what a
	 * person reading the column sees) and exactly as {@code keyBase64}, its UTF-8 bytes, which {@link StoredHeader}
	 * reads: a redrive sends the header under its original name (it had been sent with U+FFFD, another name).
	 */
	private static Map<String, String> header(String key, byte @Nullable [] value) {
		Map<String, String> header = new HashMap<>(4);
		if (key.indexOf('\u0000') >= 0) {
			header.put("key", key.replace('\u0000', '\uFFFD'));
			header.put(StoredHeader.KEY_BASE64, Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)));
		}
		else {
			header.put("key", key);
		}
		header.put("value", (value != null) ? Base64.getEncoder().encodeToString(value) : null);
		return header;
	}

	/** Every header of the record, base64 (a name holding a NUL kept exactly beside its U+FFFD form). */
	private static List<Map<String, String>> allHeaders(ConsumerRecord<byte[], byte[]> record) {
		List<Map<String, String>> headers = new ArrayList<>();
		for (Header header : record.headers()) {
			headers.add(header(header.key(), header.value()));
		}
		return headers;
	}

	/**
	 * The record as a raw entry because the database refused what it says (a character or a date
	 * PostgreSQL cannot store): every header kept, base64 like the original headers of a failed record (a
	 * name holding a NUL kept exactly, as there), the key and payload as they are, so nothing is lost.
	 */
	static CapturedRecord refused(ConsumerRecord<byte[], byte[]> record, Instant receivedAt, String reason) {
		return new CapturedRecord(reason, null, null, "", null, null, null, null, record.key(), allHeaders(record),
				record.value(), null, null, null, null, null, true, 1,
				record.partition(), record.offset(), receivedAt, null, null);
	}

	/**
	 * The record as a raw entry with the reason: every header kept, and what the failure says (its service, consumer
	 * group and error), but no original coordinates, so nothing is ever redriven from it. For a record whose original
	 * topic is one of the DLQ's own (the DLQ's own outcome consumer dead-letters what it cannot read like any other
	 * service), and for one whose data the database refused as read.
	 */
	CapturedRecord asRaw(ConsumerRecord<byte[], byte[]> record, String reason) {
		return new CapturedRecord(reason, this.sourceService, this.sourceRole, this.consumerGroup, null, null, null,
				null, record.key(), allHeaders(record), record.value(), this.errorClass, this.errorCauseClass,
				this.errorMessage, null, null, true, 1, record.partition(), record.offset(), this.receivedAt, null,
				this.omittedValueSize);
	}

	/**
	 * Reads a record; never throws, so one odd record can neither stall the partition nor be lost.
	 */
	static CapturedRecord from(ConsumerRecord<byte[], byte[]> record, Instant receivedAt) {
		try {
			return parse(record, receivedAt);
		}
		catch (RuntimeException ex) {
			return new CapturedRecord("unreadable failed-record message: " + ex.getClass().getName(), null, null, "",
					null, null, null, null, record.key(), List.of(),
					record.value(), null, null, null, null, null, true, 1,
					record.partition(), record.offset(), receivedAt, null, null);
		}
	}

	private static CapturedRecord parse(ConsumerRecord<byte[], byte[]> record, Instant receivedAt) {
		// the failure path's own headers, the last of each name; sized for the ~20 a failed record carries
		Map<String, byte[]> last = new HashMap<>(64);
		List<Map<String, String>> originalHeaders = new ArrayList<>();
		for (Header header : record.headers()) {
			if (DeadLetterHeaders.isOwned(header.key())) {
				last.put(header.key(), header.value());
			}
			else {
				originalHeaders.add(header(header.key(), header.value()));
			}
		}
		List<String> problems = new ArrayList<>();
		// one longer than a name is none (its own rule, below, says why the record is raw)
		String topic = name(last, DeadLetterHeaders.ORIGINAL_TOPIC, new ArrayList<>());
		Integer partition = number(last, DeadLetterHeaders.ORIGINAL_PARTITION, problems, Integer.class);
		Long offset = number(last, DeadLetterHeaders.ORIGINAL_OFFSET, problems, Long.class);
		// optional: a value that is not a number is left out (no time, a first attempt), the record is kept
		Long timestamp = number(last, DeadLetterHeaders.ORIGINAL_TIMESTAMP, new ArrayList<>(), Long.class);
		Long attempt = number(last, DeadLetterHeaders.ATTEMPT, new ArrayList<>(), Long.class);
		if (!last.containsKey(DeadLetterHeaders.ORIGINAL_TOPIC)) {
			problems.add("missing header " + DeadLetterHeaders.ORIGINAL_TOPIC);
		}
		else if (!TopicNames.isLegal(topic)) {
			// no Kafka record comes from such a topic, and none could be sent back to it
			problems.add("header " + DeadLetterHeaders.ORIGINAL_TOPIC + " is not a Kafka topic name");
		}
		coordinate(last, DeadLetterHeaders.ORIGINAL_PARTITION, partition, problems);
		coordinate(last, DeadLetterHeaders.ORIGINAL_OFFSET, offset, problems);
		// the names the entry is found, grouped and counted by: one longer than the API takes (FieldLimits) is not
		// cut to fit (two services alike in their first 255 characters would be one, and the cut one a metric
		// label): the record is kept raw, naming the header, with every header of it
		String group = name(last, DeadLetterHeaders.ORIGINAL_CONSUMER_GROUP, problems);
		String service = name(last, DeadLetterHeaders.SOURCE_SERVICE, problems);
		String role = name(last, DeadLetterHeaders.SOURCE_ROLE, problems);
		// a Spring Kafka recoverer names a key that could not be deserialized in its key-exception headers
		// (and only there when the value was read): the entry's error is then that one
		boolean keyFailed = !last.containsKey(DeadLetterHeaders.EXCEPTION_FQCN)
				&& last.containsKey(KafkaHeaders.DLT_KEY_EXCEPTION_FQCN);
		String errorClass = name(last,
				keyFailed ? KafkaHeaders.DLT_KEY_EXCEPTION_FQCN : DeadLetterHeaders.EXCEPTION_FQCN, problems);
		String causeClass = name(last, DeadLetterHeaders.EXCEPTION_CAUSE_FQCN, problems);
		String fingerprint = name(last, DeadLetterHeaders.FINGERPRINT, problems);
		Integer omittedValueSize = omittedValueSize(record, last, problems);
		String rawReason = problems.isEmpty() ? null : "not a failed-record message: " + String.join("; ", problems);
		if (rawReason != null) {
			// what makes it raw is in the failure path's own headers: the entry keeps every header
			originalHeaders = allHeaders(record);
		}
		String errorMessage = text(last,
				keyFailed ? KafkaHeaders.DLT_KEY_EXCEPTION_MESSAGE : DeadLetterHeaders.EXCEPTION_MESSAGE);
		byte[] stacktrace = last.get(
				keyFailed ? KafkaHeaders.DLT_KEY_EXCEPTION_STACKTRACE : DeadLetterHeaders.EXCEPTION_STACKTRACE);
		String nonRetryableFlag = text(last, DeadLetterHeaders.NON_RETRYABLE);
		// the platform's failure path says whether a retry can succeed; a plain Spring Kafka recoverer does not,
		// and its exception classes say it instead (a record that cannot be deserialized never will be)
		boolean nonRetryable = (nonRetryableFlag != null) ? "true".equalsIgnoreCase(nonRetryableFlag.trim())
				: keyFailed || neverRetried(errorClass) || neverRetried(causeClass);
		// without its value no retry can send it (the failure path says so too)
		nonRetryable = nonRetryable || omittedValueSize != null;
		if (fingerprint != null && fingerprint.isBlank()) {
			fingerprint = null; // no fingerprint: a pattern named "" would group unrelated failures
		}
		if (fingerprint == null && rawReason == null) {
			fingerprint = derivedFingerprint(service, topic, errorClass, causeClass);
		}
		return new CapturedRecord(rawReason, service, role,
				(group != null) ? group : "", (topic != null && topic.isBlank()) ? null : topic, partition, offset,
				storable(timestamp), record.key(), originalHeaders,
				record.value(), errorClass, causeClass,
				errorMessage, stacktrace, fingerprint, nonRetryable,
				(attempt != null && attempt <= MAX_ATTEMPT) ? Math.max(1, attempt.intValue()) : 1, record.partition(),
				record.offset(),
				receivedAt, entryId(last), omittedValueSize);
	}

	/**
	 * The size of the value the failure path left out ({@code dlq-value-omitted}, decimal text), for a record
	 * without a value; null for any other. One whose size is not a number of bytes (1 or more) makes the record raw:
	 * it names no value to read, and without one it would be taken for a tombstone. The header on a record that has
	 * a value says nothing: the value is there.
	 */
	private static @Nullable Integer omittedValueSize(ConsumerRecord<byte[], byte[]> record, Map<String, byte[]> headers,
			List<String> problems) {
		if (record.value() != null || !headers.containsKey(DeadLetterHeaders.VALUE_OMITTED)) {
			return null;
		}
		Integer size = number(headers, DeadLetterHeaders.VALUE_OMITTED, new ArrayList<>(), Integer.class);
		if (size == null || size < 1) {
			problems.add("header " + DeadLetterHeaders.VALUE_OMITTED + " is not a size in bytes");
			return null;
		}
		return size;
	}

	/**
	 * The original timestamp, when PostgreSQL can store it (the years 1 to 294276); null, left out as one that is not
	 * a number is, for any other: a failed record saying {@code 9223372036854775807} had been made raw for it, losing
	 * its coordinates, with a reason naming only an SQL state.
	 */
	private static @Nullable Instant storable(@Nullable Long epochMillis) {
		return (epochMillis != null && epochMillis >= FIRST_STORABLE_MILLIS && epochMillis <= LAST_STORABLE_MILLIS)
				? Instant.ofEpochMilli(epochMillis) : null;
	}

	private static boolean neverRetried(@Nullable String exceptionClass) {
		return exceptionClass != null && NON_RETRYABLE_CLASSES.contains(exceptionClass);
	}

	private static Set<String> nonRetryableClasses() {
		Set<String> classes = new HashSet<>(new NonRetryableClassifier(List.of()).classNames());
		classes.add("org.springframework.messaging.handler.invocation.MethodArgumentResolutionException");
		classes.add("org.springframework.messaging.handler.annotation.support.MethodArgumentNotValidException");
		classes.add("java.lang.NoSuchMethodException");
		return Set.copyOf(classes);
	}

	/**
	 * A fingerprint for failures from applications that do not send one (any Spring Kafka recoverer):
	 * the same service, topic and exception classes group together.
	 */
	static String derivedFingerprint(@Nullable String service, @Nullable String topic, @Nullable String errorClass,
			@Nullable String causeClass) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
				.digest(String.join("|", "derived", String.valueOf(service), String.valueOf(topic),
						String.valueOf(errorClass), String.valueOf(causeClass))
					.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 8);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static @Nullable UUID entryId(Map<String, byte[]> headers) {
		String text = text(headers, DeadLetterHeaders.ENTRY_ID);
		if (text == null) {
			return null;
		}
		try {
			return UUID.fromString(text.trim());
		}
		catch (IllegalArgumentException ex) {
			return null; // not ours: the record is then matched by its coordinates
		}
	}

	/**
	 * A name a header gives, or none when it holds a control character (NUL, a bell, a line break…: no service,
	 * group, role, class or fingerprint has one, and it would be a search criterion, a metric label and a line of the
	 * daily report's CSV) or is longer than {@link FieldLimits#NAME}: then the problem is added, which makes the record
	 * raw (as {@code POST /api/v1/dlq/messages} refuses such a field with a 400). A control character is not replaced,
	 * as a NUL in text is ({@link #text(byte[])}): two names differing only there would become one.
	 */
	private static @Nullable String name(Map<String, byte[]> headers, String name, List<String> problems) {
		byte[] value = headers.get(name);
		if (value == null) {
			return null;
		}
		String text = new String(value, StandardCharsets.UTF_8);
		int control = FieldLimits.firstControl(text);
		if (control >= 0) {
			problems.add("header " + name + " holds a control character (U+%04X)".formatted((int) text.charAt(control)));
			return null;
		}
		if (text.length() > FieldLimits.NAME) {
			problems.add("header " + name + " is longer than " + FieldLimits.NAME + " characters");
			return null;
		}
		return text;
	}

	private static @Nullable String text(Map<String, byte[]> headers, String name) {
		byte[] value = headers.get(name);
		return (value != null) ? text(value) : null;
	}

	/**
	 * A header's text as an entry stores it: UTF-8, at most {@link FieldLimits#TEXT} characters, a NUL (which PostgreSQL
	 * cannot store in text) as U+FFFD, so such a message or trace does not make the record a raw entry.
	 */
	static String text(byte[] value) {
		String text = new String(value, StandardCharsets.UTF_8);
		if (text.indexOf('\u0000') >= 0) {
			text = text.replace('\u0000', '\uFFFD');
		}
		return (text.length() > FieldLimits.TEXT) ? text.substring(0, FieldLimits.TEXT) : text;
	}

	/**
	 * A partition or an offset: present with a value (a header without one, as {@code kcat -H name} sends, is
	 * no coordinate), and never negative (no Kafka record has one).
	 */
	private static void coordinate(Map<String, byte[]> headers, String name, @Nullable Number value,
			List<String> problems) {
		if (!headers.containsKey(name)) {
			problems.add("missing header " + name);
		}
		else if (headers.get(name) == null) {
			problems.add("header " + name + " has no value");
		}
		else if (value != null && value.longValue() < 0) {
			problems.add("header " + name + " is negative");
		}
	}

	private static <T extends Number> @Nullable T number(Map<String, byte[]> headers, String name,
			List<String> problems, Class<T> type) {
		byte[] value = headers.get(name);
		if (value == null) {
			return null;
		}
		long parsed;
		if (value.length == 4 && type == Integer.class && !isText(value)) {
			parsed = ByteBuffer.wrap(value).getInt();
		}
		else if (value.length == 8 && !isText(value)) {
			parsed = ByteBuffer.wrap(value).getLong();
		}
		else {
			try {
				parsed = Long.parseLong(new String(value, StandardCharsets.UTF_8).trim());
			}
			catch (NumberFormatException ex) {
				problems.add("header " + name + " is not a number");
				return null;
			}
		}
		if (type == Integer.class && (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE)) {
			problems.add("header " + name + " is out of range");
			return null;
		}
		Object boxed = (type == Integer.class) ? (Object) Integer.valueOf((int) parsed) : (Object) Long.valueOf(parsed);
		return type.cast(boxed);
	}

	/**
	 * True for what a person types: printable ASCII or tabs, such as a number with a sign or spaces around it
	 * ({@code "-100"}, {@code " 12 "}) or something that is no number ({@code "0x10"}, {@code "n/a"}). Read as
	 * big-endian binary, such bytes would make a partition above 151,000,000 or an offset above 6.5 * 10^17 (their
	 * smallest byte is a tab, 0x09), which no record has, so a value of them is read as text, and one that is no
	 * decimal number is said to be none rather than read as a partition in the hundreds of millions.
	 */
	private static boolean isText(byte[] value) {
		for (byte b : value) {
			if (b != '\t' && (b < 0x20 || b > 0x7e)) {
				return false;
			}
		}
		return true;
	}

}
