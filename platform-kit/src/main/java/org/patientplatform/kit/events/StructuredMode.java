package org.patientplatform.kit.events;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.v1.CloudEventBuilder;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * CloudEvents 1.0 structured mode over Kafka: a record whose {@code content-type} header starts with
 * {@code application/cloudevents} holds the whole event in its value, in the JSON event format. Read with the
 * application's Jackson 3 mapper rather than the SDK's {@code EventFormat} (whose JSON format is Jackson 2 and
 * says little more than its exception's class when an envelope is wrong): every envelope a producer got wrong
 * gets a reason that names what to fix, never quoting the data (ADR 0018).
 */
final class StructuredMode {

	static final String CONTENT_TYPE = "content-type";

	static final String JSON_FORMAT = "application/cloudevents+json";

	private static final byte[] PREFIX = "application/cloudevents".getBytes(StandardCharsets.US_ASCII);

	private static final String NOT_STRUCTURED = "Record is not a CloudEvent in structured mode: ";

	private static final List<String> REQUIRED = List.of("specversion", "id", "source", "type");

	/** The attributes of the event format's own that are not extensions. */
	private static final Set<String> CONTEXT = Set.of("specversion", "id", "source", "type", "subject", "time",
			"datacontenttype", "dataschema", "data", "data_base64");

	private final JsonMapper json;

	private final ObjectReader envelope;

	StructuredMode(JsonMapper json) {
		this.json = json;
		// an attribute named twice is ambiguous, and decimals in the data keep every digit they were sent with
		this.envelope = json.readerFor(JsonNode.class)
			.with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
	}

	/**
	 * The record's {@code content-type} header when it says structured mode ({@code application/cloudevents...},
	 * any case), else null. Compared on the header's bytes: a binary-mode record allocates nothing here.
	 */
	static @Nullable Header structuredContentType(Headers headers) {
		Header header = headers.lastHeader(CONTENT_TYPE);
		return (header != null && startsWithPrefix(header.value())) ? header : null;
	}

	/**
	 * A {@code content-type} header spelled in another case ({@code Content-Type}), which Kafka's header names
	 * (case-sensitive) do not find; looked for only when a record is no CloudEvent in binary mode either.
	 */
	static @Nullable Header structuredContentTypeAnyCase(Headers headers) {
		Header found = null;
		for (Header header : headers) {
			if (header.key().equalsIgnoreCase(CONTENT_TYPE) && startsWithPrefix(header.value())) {
				found = header;
			}
		}
		return found;
	}

	private static boolean startsWithPrefix(byte @Nullable [] value) {
		if (value == null || value.length < PREFIX.length) {
			return false;
		}
		for (int i = 0; i < PREFIX.length; i++) {
			int b = value[i];
			if (b >= 'A' && b <= 'Z') {
				b += 'a' - 'A';
			}
			if (b != PREFIX[i]) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The event a structured-mode record holds, its data not read yet.
	 * @param contentType the record's {@code content-type} header, which starts with {@code application/cloudevents}
	 * @throws InvalidEventException naming what is wrong with the envelope
	 */
	CloudEvent read(Header contentType, byte @Nullable [] value) {
		requireJsonFormat(new String(contentType.value(), StandardCharsets.UTF_8));
		if (value == null || value.length == 0) {
			throw invalid("no value (the record's value is the event, in the JSON event format)");
		}
		JsonNode root;
		try {
			root = this.envelope.readTree(value);
		}
		catch (JacksonException ex) {
			if (ex instanceof StreamReadException && String.valueOf(ex.getOriginalMessage()).startsWith("Duplicate")) {
				throw invalid("the value names an attribute twice (at " + where(ex) + ")");
			}
			String limit = PlatformEvents.limitBroken(ex);
			if (limit != null) {
				throw invalid("the value is past a limit of the JSON reader (" + limit + ")");
			}
			throw invalid("the value is not JSON (" + ex.getClass().getSimpleName() + " at " + where(ex) + ")");
		}
		if (root == null || !root.isObject()) {
			throw invalid("the value is " + kind(root) + ", not a JSON object of the event's attributes");
		}
		List<String> missing = new ArrayList<>();
		for (String name : REQUIRED) {
			if (absent(root.get(name))) {
				missing.add(name);
			}
		}
		if (!missing.isEmpty()) {
			throw invalid("no " + String.join(", ", missing) + " attribute");
		}
		String specVersion = string(root, "specversion");
		if (!"1.0".equals(specVersion)) {
			throw invalid("specversion " + shortened(specVersion) + " is not supported (1.0 is)");
		}
		CloudEventBuilder event = new CloudEventBuilder().withId(nonEmpty(root, "id"))
			.withSource(uri(root, "source"))
			.withType(nonEmpty(root, "type"));
		String subject = optionalString(root, "subject");
		if (subject != null) {
			event.withSubject(subject);
		}
		String time = optionalString(root, "time");
		if (time != null) {
			try {
				event.withTime(OffsetDateTime.parse(time));
			}
			catch (DateTimeParseException ex) {
				throw invalid("attribute time is not an RFC 3339 timestamp");
			}
		}
		if (!absent(root.get("dataschema"))) {
			event.withDataSchema(uri(root, "dataschema"));
		}
		String dataContentType = optionalString(root, "datacontenttype");
		if (dataContentType != null) {
			event.withDataContentType(dataContentType);
		}
		byte[] data = data(root, dataContentType);
		if (data != null) {
			event.withData(data);
		}
		for (Map.Entry<String, JsonNode> attribute : root.properties()) {
			if (!CONTEXT.contains(attribute.getKey())) {
				extension(event, attribute.getKey(), attribute.getValue());
			}
		}
		return event.build();
	}

	/** Only the JSON event format, one event per record, in UTF-8 (the format's only encoding). */
	private static void requireJsonFormat(String contentType) {
		String[] parts = contentType.split(";");
		String media = parts[0].strip().toLowerCase(Locale.ROOT);
		if (media.equals("application/cloudevents-batch+json")) {
			throw invalid("batched content mode (" + media + ") is not supported: one event per record, as "
					+ JSON_FORMAT);
		}
		if (!media.equals(JSON_FORMAT)) {
			throw invalid("event format " + shortened(media) + " is not supported: structured mode is read as "
					+ JSON_FORMAT);
		}
		String charset = charsetOtherThanUtf8(contentType);
		if (charset != null) {
			throw invalid("charset " + shortened(charset) + " is not supported: the JSON event format is UTF-8");
		}
	}

	/**
	 * The charset a content type's parameter names, as written without quotes, when it is another than UTF-8; null
	 * when it names UTF-8 or none.
	 */
	static @Nullable String charsetOtherThanUtf8(String contentType) {
		String[] parts = contentType.split(";");
		for (int i = 1; i < parts.length; i++) {
			String[] parameter = parts[i].split("=", 2);
			if (parameter.length == 2 && parameter[0].strip().equalsIgnoreCase("charset")) {
				String charset = parameter[1].strip().replace("\"", "");
				if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
					return charset;
				}
			}
		}
		return null;
	}

	/**
	 * The data as bytes: {@code data_base64} decoded, a JSON string as its text when the data is not labelled
	 * JSON, any other {@code data} as its JSON; null when the event has none.
	 */
	private byte @Nullable [] data(JsonNode root, @Nullable String dataContentType) {
		JsonNode data = root.get("data");
		JsonNode base64 = root.get("data_base64");
		if (data != null && base64 != null) {
			throw invalid("both data and data_base64 (an event holds its data in one of them)");
		}
		if (base64 != null) {
			if (base64.isNull()) {
				return null;
			}
			if (!base64.isString()) {
				throw invalid("attribute data_base64 is " + kind(base64) + ", not a base64 string");
			}
			try {
				return Base64.getDecoder().decode(base64.stringValue());
			}
			catch (IllegalArgumentException ex) {
				throw invalid("data_base64 is not base64 (RFC 4648)");
			}
		}
		if (data == null) {
			return null;
		}
		if (data.isString() && !isJson(dataContentType)) {
			return data.stringValue().getBytes(StandardCharsets.UTF_8);
		}
		return this.json.writeValueAsBytes(data);
	}

	private static boolean isJson(@Nullable String contentType) {
		if (contentType == null) {
			return true;
		}
		String media = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
		return media.equals("application/json") || media.equals("text/json") || media.endsWith("+json");
	}

	/** An extension attribute: a string, a number or a boolean (JSON null: absent). */
	private static void extension(CloudEventBuilder event, String name, JsonNode value) {
		if (value.isNull()) {
			return;
		}
		if (!validName(name)) {
			throw invalid("attribute name " + shortened(name)
					+ " is not a CloudEvents attribute name (lowercase letters a-z and digits)");
		}
		if (value.isString()) {
			event.withExtension(name, value.stringValue());
		}
		else if (value.isIntegralNumber() && value.canConvertToInt()) {
			event.withExtension(name, value.intValue());
		}
		else if (value.isBoolean()) {
			event.withExtension(name, value.booleanValue());
		}
		else {
			throw invalid("attribute " + name + " is " + kind(value)
					+ ", not a string, an integer or a boolean as extension attributes are");
		}
	}

	static boolean validName(String name) {
		if (name.isEmpty()) {
			return false;
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
				return false;
			}
		}
		return true;
	}

	private static boolean absent(@Nullable JsonNode value) {
		return value == null || value.isNull();
	}

	private static String string(JsonNode root, String name) {
		JsonNode value = root.get(name);
		if (value == null || !value.isString()) {
			throw invalid("attribute " + name + " is " + kind(value) + ", not a string");
		}
		return value.stringValue();
	}

	private static String nonEmpty(JsonNode root, String name) {
		String value = string(root, name);
		// whitespace only too: before, an id of spaces was read, and processed_message (keyed on source and id) then
		// dropped every later event with that id from the source as a duplicate
		if (value.isBlank()) {
			throw invalid("attribute " + name + " is empty (CloudEvents requires a non-empty " + name + ")");
		}
		return value;
	}

	private static @Nullable String optionalString(JsonNode root, String name) {
		return absent(root.get(name)) ? null : string(root, name);
	}

	private static URI uri(JsonNode root, String name) {
		try {
			return new URI(nonEmpty(root, name));
		}
		catch (URISyntaxException ex) {
			throw invalid("attribute " + name + " is not a URI reference (RFC 3986)");
		}
	}

	private static String kind(@Nullable JsonNode value) {
		if (value == null || value.isMissingNode()) {
			return "nothing";
		}
		return switch (value.getNodeType()) {
			case ARRAY -> "a JSON array";
			case OBJECT, POJO -> "a JSON object";
			case STRING -> "a string";
			case NUMBER -> "a number";
			case BOOLEAN -> "a boolean";
			case NULL -> "null";
			default -> "binary";
		};
	}

	static String shortened(String value) {
		String printable = value.replaceAll("\\p{Cntrl}", "?");
		return (printable.length() > 40) ? printable.substring(0, 40) + "..." : printable;
	}

	private static String where(JacksonException ex) {
		TokenStreamLocation location = ex.getLocation();
		return (location != null && location.getLineNr() > 0)
				? "line " + location.getLineNr() + ", column " + location.getColumnNr() : "an unknown position";
	}

	private static InvalidEventException invalid(String reason) {
		return new InvalidEventException(NOT_STRUCTURED + reason);
	}

}
