package org.patientplatform.kit.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import io.cloudevents.CloudEvent;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.constraints.NotBlank;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * CloudEvents structured mode (a {@code content-type} header {@code application/cloudevents+json}, the event in
 * the JSON event format as the value): read like binary mode, and every envelope a producer got wrong
 * dead-lettered with a reason that says what, never quoting the data.
 */
class StructuredModeReadTests {

	record Thing(@NotBlank String name) {
	}

	static final String TYPE = "test.Thing.v1";

	final ValidatorFactory validation = Validation.buildDefaultValidatorFactory();

	final PlatformEvents events = new PlatformEvents(JsonMapper.builder().build(), this.validation.getValidator(),
			"test-service");

	@AfterEach
	void close() {
		this.validation.close();
	}

	@Test
	void readsAStructuredEventLikeABinaryOne() {
		ConsumerRecord<byte[], byte[]> record = structured("""
				{"specversion":"1.0","id":"e-1","source":"urn:lab:front-desk","type":"test.Thing.v1",
				 "subject":"p-1","time":"2026-03-01T09:30:00.123+01:00","datacontenttype":"application/json",
				 "traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","priority":3,"urgent":true,
				 "data":{"name":"Ada"}}""");

		IncomingEvent<Thing> event = this.events.read(record, TYPE, Thing.class);

		assertThat(event).isEqualTo(new IncomingEvent<>("e-1", "urn:lab:front-desk", TYPE, "p-1",
				Instant.parse("2026-03-01T08:30:00.123Z"), new Thing("Ada")));
		CloudEvent envelope = this.events.envelope(record);
		assertThat(envelope.getExtension("traceparent"))
			.isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
		assertThat(envelope.getExtension("priority")).isEqualTo(3);
		assertThat(envelope.getExtension("urgent")).isEqualTo(true);
	}

	@Test
	void givesTheSameIdentityAsTheSameEventInBinaryMode() {
		ConsumerRecord<byte[], byte[]> structured = structured("""
				{"specversion":"1.0","id":"e-2","source":"urn:lab:front-desk","type":"test.Thing.v1",
				 "data":{"name":"Ada"}}""");
		ConsumerRecord<byte[], byte[]> binary = record(headers("ce_specversion", "1.0", "ce_id", "e-2", "ce_source",
				"urn:lab:front-desk", "ce_type", TYPE, "content-type", "application/json"), "{\"name\":\"Ada\"}");

		assertThat(this.events.read(structured, TYPE, Thing.class))
			.isEqualTo(this.events.read(binary, TYPE, Thing.class));
	}

	@Test
	void readsDataBase64() {
		String data = Base64.getEncoder().encodeToString("{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8));
		ConsumerRecord<byte[], byte[]> record = structured("""
				{"specversion":"1.0","id":"e-3","source":"urn:probe","type":"test.Thing.v1",
				 "datacontenttype":"application/json","data_base64":"%s"}""".formatted(data));

		assertThat(this.events.read(record, TYPE, Thing.class).data()).isEqualTo(new Thing("Ada"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "application/cloudevents+json", "application/cloudevents+json; charset=UTF-8",
			"Application/CloudEvents+JSON;charset=utf-8", "application/cloudevents+json; charset=\"utf-8\"",
			"APPLICATION/CLOUDEVENTS+JSON" })
	void readsTheJsonFormatWhateverTheCaseAndWithItsCharset(String contentType) {
		ConsumerRecord<byte[], byte[]> record = record(headers("content-type", contentType), """
				{"specversion":"1.0","id":"e-4","source":"urn:probe","type":"test.Thing.v1","data":{"name":"Ada"}}""");

		assertThat(this.events.read(record, TYPE, Thing.class).data()).isEqualTo(new Thing("Ada"));
	}

	@Test
	void readsAContentTypeHeaderNamedInAnotherCase() {
		ConsumerRecord<byte[], byte[]> record = record(headers("Content-Type", "application/cloudevents+json"), """
				{"specversion":"1.0","id":"e-5","source":"urn:probe","type":"test.Thing.v1","data":{"name":"Ada"}}""");

		assertThat(this.events.read(record, TYPE, Thing.class).id()).isEqualTo("e-5");
	}

	@Test
	void takesStructuredModeWhenTheContentTypeSaysSoEvenWithCeHeaders() {
		// the binding: a content-type of application/cloudevents means structured, whatever else the record has
		ConsumerRecord<byte[], byte[]> record = record(
				headers("ce_specversion", "1.0", "ce_id", "header-id", "ce_source", "urn:probe", "ce_type", TYPE,
						"content-type", "application/cloudevents+json"),
				"""
						{"specversion":"1.0","id":"e-6","source":"urn:probe","type":"test.Thing.v1","data":{"name":"Ada"}}""");

		assertThat(this.events.read(record, TYPE, Thing.class).id()).isEqualTo("e-6");
	}

	@Test
	void keepsEveryDigitOfADecimalInTheData() {
		record Amount(java.math.BigDecimal value) {
		}
		ConsumerRecord<byte[], byte[]> record = structured("""
				{"specversion":"1.0","id":"e-7","source":"urn:probe","type":"test.Amount.v1",
				 "data":{"value":0.10000000000000000000000000001}}""");

		assertThat(this.events.read(record, "test.Amount.v1", Amount.class).data().value())
			.isEqualByComparingTo("0.10000000000000000000000000001");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			not JSON                 | {"specversion":"1.0","id":"e-9","name":"secret-name"     | the value is not JSON (UnexpectedEndOfInputException at line 1, column 53)
			trailing text            | {"specversion":"1.0","id":"e-9","source":"urn:p","type":"test.Thing.v1"} secret-name | the value is not JSON (StreamReadException at line 1, column 74)
			an array                 | [{"specversion":"1.0"}]                                   | the value is a JSON array, not a JSON object of the event's attributes
			a string                 | "secret-name"                                             | the value is a string, not a JSON object of the event's attributes
			no required attributes   | {"data":{"name":"secret-name"}}                           | no specversion, id, source, type attribute
			no id and no source      | {"specversion":"1.0","type":"test.Thing.v1","data":{}}    | no id, source attribute
			a null id                | {"specversion":"1.0","id":null,"source":"urn:p","type":"test.Thing.v1"} | no id attribute
			wrong specversion        | {"specversion":"0.3","id":"e-9","source":"urn:p","type":"test.Thing.v1"} | specversion 0.3 is not supported (1.0 is)
			specversion as a number  | {"specversion":1.0,"id":"e-9","source":"urn:p","type":"test.Thing.v1"} | attribute specversion is a number, not a string
			an id as a number        | {"specversion":"1.0","id":9,"source":"urn:p","type":"test.Thing.v1"} | attribute id is a number, not a string
			an empty type            | {"specversion":"1.0","id":"e-9","source":"urn:p","type":""} | attribute type is empty (CloudEvents requires a non-empty type)
			an id of spaces          | {"specversion":"1.0","id":"  ","source":"urn:p","type":"test.Thing.v1"} | attribute id is empty (CloudEvents requires a non-empty id)
			a source of spaces       | {"specversion":"1.0","id":"e-9","source":" ","type":"test.Thing.v1"} | attribute source is empty (CloudEvents requires a non-empty source)
			a source not a URI       | {"specversion":"1.0","id":"e-9","source":"urn:a b","type":"test.Thing.v1"} | attribute source is not a URI reference (RFC 3986)
			a time not RFC 3339      | {"specversion":"1.0","id":"e-9","source":"urn:p","type":"test.Thing.v1","time":"yesterday"} | attribute time is not an RFC 3339 timestamp
			data and data_base64     | {"specversion":"1.0","id":"e-9","source":"urn:p","type":"test.Thing.v1","data":{"name":"secret-name"},"data_base64":"e30="} | both data and data_base64 (an event holds its data in one of them)
			data_base64 not base64   | {"specversion":"1.0","id":"e-9","source":"urn:p","type":"test.Thing.v1","data_base64":"secret-name!"} | data_base64 is not base64 (RFC 4648)
			data_base64 an object    | {"specversion":"1.0","id":"e-9","source":"urn:p","type":"test.Thing.v1","data_base64":{"name":"secret-name"}} | attribute data_base64 is a JSON object, not a base64 string
			an attribute twice       | {"specversion":"1.0","id":"e-9","id":"e-10","source":"urn:p","type":"test.Thing.v1"} | the value names an attribute twice (at line 1, column 37)
			an extension object      | {"specversion":"1.0","id":"e-9","source":"urn:p","type":"test.Thing.v1","patient":{"name":"secret-name"}} | attribute patient is a JSON object, not a string, an integer or a boolean as extension attributes are
			an extension badly named | {"specversion":"1.0","id":"e-9","source":"urn:p","type":"test.Thing.v1","trace_id":"x"} | attribute name trace_id is not a CloudEvents attribute name (lowercase letters a-z and digits)
			""")
	void deadLettersAMalformedEnvelopeSayingWhatIsWrong(String malformed, String value, String reason) {
		ConsumerRecord<byte[], byte[]> record = structured(value);

		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(record, TYPE, Thing.class))
			.withMessage("Record is not a CloudEvent in structured mode: " + reason)
			.withMessageNotContaining("secret-name");
	}

	@Test
	void deadLettersARecordWithoutValue() {
		ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("things.v1", 0, 7L, ConsumerRecord.NO_TIMESTAMP,
				TimestampType.NO_TIMESTAMP_TYPE, ConsumerRecord.NULL_SIZE, ConsumerRecord.NULL_SIZE, null, null,
				headers("content-type", "application/cloudevents+json"), Optional.empty());

		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(record, TYPE, Thing.class))
			.withMessage("Record is not a CloudEvent in structured mode: no value (the record's value is the event, "
					+ "in the JSON event format)");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			application/cloudevents+json; charset=ISO-8859-1 | charset ISO-8859-1 is not supported: the JSON event format is UTF-8
			application/cloudevents-batch+json               | batched content mode (application/cloudevents-batch+json) is not supported: one event per record, as application/cloudevents+json
			application/cloudevents+avro                     | event format application/cloudevents+avro is not supported: structured mode is read as application/cloudevents+json
			application/cloudevents                          | event format application/cloudevents is not supported: structured mode is read as application/cloudevents+json
			""")
	void deadLettersAFormatOrCharsetItDoesNotRead(String contentType, String reason) {
		ConsumerRecord<byte[], byte[]> record = record(headers("content-type", contentType), """
				{"specversion":"1.0","id":"e-9","source":"urn:p","type":"test.Thing.v1","data":{"name":"Ada"}}""");

		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(record, TYPE, Thing.class))
			.withMessage("Record is not a CloudEvent in structured mode: " + reason);
	}

	@Test
	void givesBadDataTheReasonsOfBinaryMode() {
		ConsumerRecord<byte[], byte[]> wrongType = structured("""
				{"specversion":"1.0","id":"e-11","source":"urn:p","type":"test.Other.v1","data":{"name":"Ada"}}""");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(wrongType, TYPE, Thing.class))
			.withMessage("Unknown event type test.Other.v1, expected test.Thing.v1");

		ConsumerRecord<byte[], byte[]> noData = structured("""
				{"specversion":"1.0","id":"e-12","source":"urn:p","type":"test.Thing.v1"}""");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(noData, TYPE, Thing.class))
			.withMessage("Event e-12 of type test.Thing.v1 has no data");

		ConsumerRecord<byte[], byte[]> invalid = structured("""
				{"specversion":"1.0","id":"e-13","source":"urn:p","type":"test.Thing.v1","data":{"name":" "}}""");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(invalid, TYPE, Thing.class))
			.withMessage("Event e-13 data is not valid: [name must not be blank]");

		ConsumerRecord<byte[], byte[]> nul = structured("""
				{"specversion":"1.0","id":"e-14","source":"urn:p","type":"test.Thing.v1","data":{"name":"a\\u0000b"}}""");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(nul, TYPE, Thing.class))
			.withMessageStartingWith("Event e-14 data holds a NUL character");

		ConsumerRecord<byte[], byte[]> text = structured("""
				{"specversion":"1.0","id":"e-15","source":"urn:p","type":"test.Thing.v1","datacontenttype":"text/plain",
				 "data":"secret-name"}""");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(text, TYPE, Thing.class))
			.withMessage("Event e-15 data is not a valid Thing (StreamReadException at line 1, column 1); its content "
					+ "type is text/plain, and events are read as JSON (application/json)")
			.withMessageNotContaining("secret-name");
	}

	@Test
	void namesTheLimitOfTheJsonReaderThatAnEnvelopeIsPastAndSaysDataIsAJsonString() {
		String deep = "[".repeat(5000) + "]".repeat(5000);
		ConsumerRecord<byte[], byte[]> record = structured("{\"specversion\":\"1.0\",\"id\":\"e-16\",\"source\":\"urn:p\","
				+ "\"type\":\"test.Thing.v1\",\"data\":{\"name\":\"secret-name\",\"extra\":" + deep + "}}");
		// before: "the value is not JSON (StreamConstraintsException at an unknown position)"
		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.events.envelope(record))
			.withMessageMatching("Record is not a CloudEvent in structured mode: the value is past a limit of the JSON "
					+ "reader \\(Document nesting depth \\(\\d+\\) exceeds the maximum allowed \\(\\d+\\)\\)")
			.withMessageNotContaining("secret-name");

		ConsumerRecord<byte[], byte[]> text = structured("""
				{"specversion":"1.0","id":"e-17","source":"urn:p","type":"test.Thing.v1","datacontenttype":"application/json",
				 "data":"{\\"name\\":\\"secret-name\\"}"}""");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(text, TYPE, Thing.class))
			.withMessage("Event e-17 data is a JSON string, not the JSON object a Thing is (JSON written as text inside a "
					+ "string is not read as JSON)");
	}

	@Test
	void aRecordWithNeitherModeNamesTheMissingHeadersAndStructuredMode() {
		ConsumerRecord<byte[], byte[]> record = record(headers("content-type", "application/json"),
				"{\"name\":\"secret-name\"}");

		assertThatExceptionOfType(InvalidEventException.class).isThrownBy(() -> this.events.envelope(record))
			.withMessage("Record is not a CloudEvent in binary mode: no ce_specversion, ce_id, ce_source, ce_type "
					+ "header (structured mode, a content-type header application/cloudevents+json, is read too)");
	}

	private static ConsumerRecord<byte[], byte[]> structured(String value) {
		return record(headers("content-type", "application/cloudevents+json; charset=UTF-8"), value);
	}

	private static RecordHeaders headers(String... namesAndValues) {
		RecordHeaders headers = new RecordHeaders();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			headers.add(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
		}
		return headers;
	}

	private static ConsumerRecord<byte[], byte[]> record(RecordHeaders headers, String value) {
		return new ConsumerRecord<>("things.v1", 0, 7L, ConsumerRecord.NO_TIMESTAMP, TimestampType.NO_TIMESTAMP_TYPE,
				ConsumerRecord.NULL_SIZE, ConsumerRecord.NULL_SIZE, "k".getBytes(StandardCharsets.UTF_8),
				value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
	}

}
