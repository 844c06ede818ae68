package org.patientplatform.kit.events;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import io.cloudevents.rw.CloudEventRWException;
import io.cloudevents.types.Time;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;
import org.patientplatform.kit.web.BodyFieldErrors;

/**
 * Creates and reads the platform's events. Data is JSON of a Java record; {@link #data} checks the
 * type, maps the JSON and validates the record, and throws {@link InvalidEventException} for anything
 * that can never succeed, so the failure path skips retries for it. Events are written in CloudEvents
 * binary mode and read in binary or structured mode (ADR 0018).
 */
public class PlatformEvents {

	/** The attributes CloudEvents 1.0 requires, as binary-mode Kafka headers. */
	private static final List<String> REQUIRED_HEADERS = List.of("ce_specversion", "ce_id", "ce_source", "ce_type");

	private final JsonMapper json;

	private final Validator validator;

	private final URI source;

	private final StructuredMode structured;

	/** Reads data naming a field twice as invalid (Jackson would keep the last value), whatever the mapper says. */
	private final ObjectReader strict;

	private final Map<Class<?>, ObjectReader> dataReaders = new ConcurrentHashMap<>();

	public PlatformEvents(JsonMapper json, Validator validator, String serviceName) {
		this.json = json;
		this.strict = json.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
		this.structured = new StructuredMode(json);
		this.validator = validator;
		this.source = URI.create("urn:patient-platform:" + serviceName);
	}

	/**
	 * A new event with a fresh id.
	 * @param type the {@code ce_type}, {@code <service>.<EventName>.v1}
	 * @param subject the aggregate id the event is about (also the record key)
	 * @param data a record, written as JSON
	 */
	public CloudEvent create(String type, String subject, Object data) {
		return create(UUID.randomUUID().toString(), type, subject, this.json.writeValueAsBytes(data));
	}

	/** An event from stored parts, that happened now. */
	public CloudEvent create(String id, String type, String subject, byte[] jsonData) {
		return create(id, type, subject, jsonData, OffsetDateTime.now(ZoneOffset.UTC));
	}

	/**
	 * An event from stored parts, as the outbox relay sends it.
	 * @param time when it happened ({@code ce_time}): the outbox's, when its transaction wrote it, not when it is
	 * relayed (which may be much later, after an outage, and differs between two sends of one event)
	 */
	public CloudEvent create(String id, String type, String subject, byte[] jsonData, OffsetDateTime time) {
		return CloudEventBuilder.v1()
			.withId(id)
			.withSource(this.source)
			.withType(type)
			.withSubject(subject)
			.withTime(time)
			.withDataContentType("application/json")
			.withData(jsonData)
			.build();
	}

	/**
	 * The event's data as the given record, validated.
	 * @throws InvalidEventException when the type differs, there is no data, the JSON does not map or
	 * the record is not valid
	 */
	public <T> T data(CloudEvent event, String expectedType, Class<T> type) {
		if (!expectedType.equals(event.getType())) {
			throw new InvalidEventException("Unknown event type " + event.getType() + ", expected " + expectedType);
		}
		CloudEventData data = event.getData();
		if (data == null) {
			throw new InvalidEventException("Event " + event.getId() + " of type " + event.getType() + " has no data");
		}
		byte[] bytes = data.toBytes();
		if (holdsNul(bytes)) {
			// no text column stores it: before, the database refused it and its error became the DLQ's reason
			throw new InvalidEventException("Event " + event.getId() + " data holds a NUL character (\\u0000), "
					+ "which no text can store");
		}
		T value;
		List<Map<String, Object>> wrong;
		// a scalar of another JSON type than its field's (a number for an id) is noted, not coerced, as in a body
		BodyFieldErrors.collectEventData();
		try {
			value = this.dataReaders.computeIfAbsent(type, this.strict::forType).readValue(bytes);
		}
		catch (JacksonException ex) {
			String twice = BodyFieldErrors.duplicateField(ex);
			if (twice != null) {
				throw new InvalidEventException("Event " + event.getId() + " data is not a valid " + type.getSimpleName()
						+ ": [" + twice + " " + BodyFieldErrors.DUPLICATE_FIELD + "]");
			}
			String limit = limitBroken(ex);
			if (limit != null) {
				throw new InvalidEventException("Event " + event.getId() + " data is not a valid " + type.getSimpleName()
						+ ": it is past a limit of the JSON reader (" + limit + ")");
			}
			if (ex instanceof StreamReadException && String.valueOf(ex.getOriginalMessage()).startsWith("Invalid UTF-8")) {
				throw new InvalidEventException("Event " + event.getId() + " data is not a valid " + type.getSimpleName()
						+ ": its text is not UTF-8 (at " + where(ex) + ")" + notUtf8(event));
			}
			String kind = notAnObject(ex, bytes);
			if (kind != null) {
				throw new InvalidEventException("Event " + event.getId() + " data is " + kind + ", not the JSON object a "
						+ type.getSimpleName() + " is" + (kind.equals("a JSON string")
								? " (JSON written as text inside a string is not read as JSON)" : ""));
			}
			// the message can quote the payload: keep only where it broke
			throw new InvalidEventException("Event " + event.getId() + " data is not a valid " + type.getSimpleName()
					+ " (" + ex.getClass().getSimpleName() + " at " + where(ex) + ")" + notJson(event));
		}
		finally {
			wrong = BodyFieldErrors.drain();
		}
		if (!wrong.isEmpty()) {
			throw new InvalidEventException("Event " + event.getId() + " data is not a valid " + type.getSimpleName()
					+ ": " + wrong.stream().map((error) -> error.get("field") + " " + error.get("message")).toList());
		}
		if (value == null) {
			// JSON null maps to no object at all; unchecked, the validator's IllegalArgumentException made it a
			// failure to retry, which held a batch listener's partitions for minutes
			throw new InvalidEventException("Event " + event.getId() + " data is JSON null, not a " + type.getSimpleName());
		}
		Set<ConstraintViolation<T>> violations = this.validator.validate(value);
		if (!violations.isEmpty()) {
			throw new InvalidEventException("Event " + event.getId() + " data is not valid: " + violations.stream()
				.map((v) -> v.getPropertyPath() + " " + v.getMessage())
				.sorted()
				.toList());
		}
		return value;
	}

	/**
	 * Data that did not read is explained by a content type that says it is not JSON (looked at only then: data
	 * that reads is taken whatever its label).
	 */
	private static String notJson(CloudEvent event) {
		String contentType = event.getDataContentType();
		if (contentType == null) {
			return "";
		}
		String media = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
		if (media.equals("application/json") || media.equals("text/json") || media.endsWith("+json")) {
			return "";
		}
		return "; its content type is " + media + ", and events are read as JSON (application/json)";
	}

	/** A content type that names another charset than UTF-8 is said to, as the likely reason. */
	private static String notUtf8(CloudEvent event) {
		String contentType = event.getDataContentType();
		String charset = (contentType != null) ? StructuredMode.charsetOtherThanUtf8(contentType) : null;
		return (charset != null) ? "; its content type names charset "
				+ StructuredMode.shortened(charset.toLowerCase(Locale.ROOT)) + ", and events are read as UTF-8" : "";
	}

	/**
	 * Which of the JSON reader's limits the data is past, in Jackson's words without the setting's name ("Document
	 * nesting depth (1001) exceeds the maximum allowed (1000)"): those words give lengths and depths, never the
	 * text. Null for any other failure. Before, such data was told "StreamConstraintsException at an unknown
	 * position", which said nothing of what to fix.
	 */
	static @Nullable String limitBroken(JacksonException ex) {
		if (!(ex instanceof StreamConstraintsException)) {
			return null;
		}
		String message = String.valueOf(ex.getOriginalMessage());
		return message.replaceFirst(", from `[^`]*`\\)", ")");
	}

	/**
	 * What the data is when it is well-formed JSON of another kind than the object its type is read from ("a JSON
	 * string", as when a producer writes the JSON of its data as text), told from its first character; null when
	 * the failure is another or lies inside the object.
	 */
	private static @Nullable String notAnObject(JacksonException ex, byte[] data) {
		if (!(ex instanceof MismatchedInputException) || !ex.getPath().isEmpty()) {
			return null;
		}
		int i = 0;
		if (data.length >= 3 && (data[0] & 0xFF) == 0xEF && (data[1] & 0xFF) == 0xBB && (data[2] & 0xFF) == 0xBF) {
			i = 3;
		}
		while (i < data.length && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r')) {
			i++;
		}
		if (i == data.length) {
			return null;
		}
		return switch (data[i]) {
			case '"' -> "a JSON string";
			case '[' -> "a JSON array";
			case 't', 'f' -> "a JSON boolean";
			case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> "a JSON number";
			default -> null;
		};
	}

	/**
	 * Where JSON broke: the path to the value when there is one, else the line and column (JSON that does not
	 * parse, or text after its end). Never the text itself, which can be PHI.
	 */
	private static String where(JacksonException ex) {
		// the field's path as the data names it (patientId, items[2].code), not Jackson's, which starts with the
		// consumer's Java class (org.patientplatform.booking.bookings.BookingRequested["patientId"])
		String path = BodyFieldErrors.path(ex);
		if (!path.isEmpty()) {
			return path;
		}
		TokenStreamLocation location = ex.getLocation();
		return (location != null && location.getLineNr() > 0)
				? "line " + location.getLineNr() + ", column " + location.getColumnNr() : "an unknown position";
	}

	/**
	 * True when JSON text holds the escape of a NUL character, a backslash then {@code u0000} (JSON has no other
	 * way to carry one): the escape's backslash is one not itself escaped, so an escaped backslash followed by
	 * {@code u0000} is text, not a NUL.
	 */
	static boolean holdsNul(byte[] json) {
		byte[] escape = { 'u', '0', '0', '0', '0' };
		int backslashes = 0;
		for (int i = 0; i < json.length; i++) {
			if (json[i] == '\\') {
				backslashes++;
				continue;
			}
			if (backslashes % 2 == 1 && i + escape.length <= json.length
					&& Arrays.equals(json, i, i + escape.length, escape, 0, escape.length)) {
				return true;
			}
			backslashes = 0;
		}
		return false;
	}

	/**
	 * Reads a Kafka record as an event of the expected type, in either CloudEvents content mode: binary (the
	 * {@code ce_*} headers and the JSON value) or structured (a {@code content-type} header
	 * {@code application/cloudevents+json} and the whole event as the value).
	 * @throws InvalidEventException when the record is not a CloudEvent, or its data is not valid
	 */
	public <T> IncomingEvent<T> read(ConsumerRecord<byte[], byte[]> record, String expectedType, Class<T> type) {
		return read(envelope(record), expectedType, type);
	}

	/**
	 * The CloudEvent a Kafka record holds, binary or structured mode, its data not read yet: the one way to know
	 * a record's type, id and source before choosing what to read it as ({@link #read(CloudEvent, String, Class)}).
	 * Never null.
	 * @throws InvalidEventException when the record is a CloudEvent in neither mode, naming what it lacks
	 */
	public CloudEvent envelope(ConsumerRecord<byte[], byte[]> record) {
		Headers headers = record.headers();
		// binary mode is the platform's own and the most read: one header lookup, nothing allocated, decides
		Header structured = StructuredMode.structuredContentType(headers);
		if (structured != null) {
			return this.structured.read(structured, record.value());
		}
		CloudEvent event;
		try (CloudEventDeserializer deserializer = new CloudEventDeserializer()) {
			event = deserializer.deserialize(record.topic(), headers, record.value());
		}
		catch (RuntimeException ex) {
			// the SDK's exception names only its class (its message quotes the value, which can be PHI): say which
			// required header is missing or which one is wrong, so a producer knows what to fix (looked for only
			// here, off the path of every valid record)
			List<String> missing = REQUIRED_HEADERS.stream().filter((name) -> headers.lastHeader(name) == null).toList();
			if (missing.contains("ce_specversion")) {
				// Kafka's header names are case-sensitive; an HTTP habit writes Content-Type
				Header otherCase = StructuredMode.structuredContentTypeAnyCase(headers);
				if (otherCase != null) {
					return this.structured.read(otherCase, record.value());
				}
			}
			String wrong = missing.isEmpty() ? wrongHeader(headers) : null;
			throw notBinary(record, !missing.isEmpty() ? "no " + String.join(", ", missing) + " header"
					: (wrong != null) ? wrong : unexplained(ex));
		}
		// the SDK takes what CloudEvents 1.0 refuses: before, an empty ce_id was read, and as processed_message keys
		// on source and id every later event with an empty id from that source was dropped as a duplicate; and a
		// ce_specversion 0.3 was read, where structured mode refuses it
		if (event.getSpecVersion() != SpecVersion.V1 || event.getId().isBlank() || event.getSource().toString().isBlank()
				|| event.getType().isBlank()) {
			String wrong = wrongHeader(headers);
			throw notBinary(record, (wrong != null) ? wrong : "ce_specversion is not 1.0, or ce_id, ce_source or ce_type "
					+ "is empty");
		}
		// the SDK keeps the last of two headers of one attribute: a record with ce_type BookingCancelled then
		// BookingRequested was applied as a request, and which one its producer meant cannot be told
		String twice = givenTwice(headers);
		if (twice != null) {
			throw notBinary(record, twice + " is given more than once, with different values (one header per attribute: "
					+ "which value was meant cannot be told)");
		}
		return event;
	}

	/**
	 * The first {@code ce_*} or {@code content-type} header that a record gives again with another value, null when
	 * none (the same value twice says nothing else, and is read).
	 */
	private static @Nullable String givenTwice(Headers headers) {
		Header[] all = headers.toArray();
		for (int i = 1; i < all.length; i++) {
			String key = all[i].key();
			if (!key.startsWith("ce_") && !key.equals("content-type")) {
				continue;
			}
			for (int j = 0; j < i; j++) {
				if (all[j].key().equals(key) && !Arrays.equals(all[j].value(), all[i].value())) {
					return StructuredMode.shortened(key);
				}
			}
		}
		return null;
	}

	private static InvalidEventException notBinary(ConsumerRecord<byte[], byte[]> record, String reason) {
		// a record without a value (a tombstone, a compaction's delete) says so first: its headers are rarely the point
		String tombstone = (record.value() == null) ? "Record has no value (a tombstone), and " : "Record ";
		return new InvalidEventException(tombstone + "is not a CloudEvent in binary mode: " + reason
				+ " (structured mode, a content-type header " + StructuredMode.JSON_FORMAT + ", is read too)");
	}

	/** The SDK's exception when no header explains it: its class and kind, never its message (which quotes values). */
	private static String unexplained(RuntimeException ex) {
		return ex.getClass().getSimpleName()
				+ ((ex instanceof CloudEventRWException rw && rw.getKind() != null) ? " (" + rw.getKind() + ")" : "");
	}

	/**
	 * The {@code ce_*} header whose value CloudEvents 1.0 refuses, naming it and what it must be, or null. Quotes
	 * the specversion only: an id, a source or a time can be PHI.
	 */
	static @Nullable String wrongHeader(Headers headers) {
		String specVersion = headerText(headers, "ce_specversion");
		if (specVersion != null && !specVersion.equals("1.0")) {
			return "ce_specversion is " + StructuredMode.shortened(specVersion) + "; this platform reads CloudEvents 1.0";
		}
		for (String name : List.of("ce_id", "ce_source", "ce_type")) {
			String value = headerText(headers, name);
			if (value != null && value.isBlank()) {
				return name + " is empty (CloudEvents requires a non-empty " + name.substring(3) + ")";
			}
		}
		for (String name : List.of("ce_source", "ce_dataschema")) {
			String value = headerText(headers, name);
			if (value != null) {
				try {
					new URI(value);
				}
				catch (URISyntaxException ex) {
					return name + " is not a URI reference (RFC 3986)";
				}
			}
		}
		String time = headerText(headers, "ce_time");
		if (time != null) {
			try {
				Time.parseTime(time);
			}
			catch (DateTimeException ex) {
				return "ce_time is not an RFC 3339 timestamp";
			}
		}
		for (Header header : headers) {
			if (header.key().startsWith("ce_") && !StructuredMode.validName(header.key().substring(3)
				.toLowerCase(Locale.ROOT))) {
				return "header " + StructuredMode.shortened(header.key())
						+ ": after ce_ comes a CloudEvents attribute name (lowercase letters a-z and digits)";
			}
		}
		return null;
	}

	/** A header's value as the SDK reads it (UTF-8), empty for a header without value, null when absent. */
	private static @Nullable String headerText(Headers headers, String name) {
		Header header = headers.lastHeader(name);
		if (header == null) {
			return null;
		}
		return (header.value() != null) ? new String(header.value(), StandardCharsets.UTF_8) : "";
	}

	/**
	 * An event of the expected type from its envelope ({@link #envelope}): its attributes and its data as the
	 * given record, validated.
	 * @throws InvalidEventException when the type differs, there is no data, the JSON does not map or the record
	 * is not valid
	 */
	public <T> IncomingEvent<T> read(CloudEvent event, String expectedType, Class<T> type) {
		T data = data(event, expectedType, type);
		return new IncomingEvent<>(event.getId(), event.getSource().toString(), event.getType(), event.getSubject(),
				(event.getTime() != null) ? event.getTime().toInstant() : null, data);
	}

	/** Serializes an event for Kafka in binary mode: {@code ce_*} headers into {@code headers}, data as value. */
	public byte[] serialize(String topic, CloudEvent event, Headers headers) {
		try (CloudEventSerializer serializer = new CloudEventSerializer()) {
			serializer.configure(Map.of(), false);
			return serializer.serialize(topic, headers, event);
		}
	}

	public JsonMapper json() {
		return this.json;
	}

}
