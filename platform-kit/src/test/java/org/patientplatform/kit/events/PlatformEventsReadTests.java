package org.patientplatform.kit.events;

import java.nio.charset.StandardCharsets;

import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The reasons a record a producer got wrong is dead-lettered with: they must tell the producer what to fix,
 * without quoting the payload.
 */
class PlatformEventsReadTests {

	record Thing(String name) {
	}

	final ValidatorFactory validation = Validation.buildDefaultValidatorFactory();

	final PlatformEvents events = new PlatformEvents(JsonMapper.builder().build(), this.validation.getValidator(),
			"test-service");

	@AfterEach
	void close() {
		this.validation.close();
	}

	@Test
	void readsAnEventWithAFieldItsTypeDoesNotKnowWithTheApplicationsMapper() {
		// a request body with such a field is refused (BodyFieldErrors); an event's producer may add one
		PlatformEvents withModule = new PlatformEvents(
				JsonMapper.builder().addModule(org.patientplatform.kit.web.BodyFieldErrors.module()).build(),
				this.validation.getValidator(), "test-service");
		ConsumerRecord<byte[], byte[]> record = record(headers("ce_specversion", "1.0", "ce_id", "e-0", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json"),
				"{\"name\":\"n\",\"addedLater\":{\"x\":1}}");

		assertThat(withModule.read(record, "test.Thing.v1", Thing.class).data()).isEqualTo(new Thing("n"));

		// a scalar of another JSON type is refused, not coerced: a number for an id was applied as its text
		ConsumerRecord<byte[], byte[]> numeric = record(headers("ce_specversion", "1.0", "ce_id", "e-00", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json"), "{\"name\":123}");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> withModule.read(numeric, "test.Thing.v1", Thing.class))
			.withMessage("Event e-00 data is not a valid Thing: [name must be text]");
	}

	record Timed(java.time.Instant at) {
	}

	@Test
	void refusesAnInstantReadAsAnotherTimeWithTheApplicationsMapperNamingTheFieldButNotItsValue() {
		// hour 24 was read as the next day's midnight and a leap second as 23:59:59: an event about another time,
		// now dead-lettered as invalid (non-retryable) with the field it is about
		PlatformEvents withModules = new PlatformEvents(JsonMapper.builder()
			.addModule(org.patientplatform.kit.web.BodyFieldErrors.module())
			.addModule(org.patientplatform.kit.web.TimesAsWritten.module())
			.build(), this.validation.getValidator(), "test-service");
		for (String written : java.util.List.of("2030-12-20T24:00:00Z", "2030-12-20T23:59:60Z")) {
			ConsumerRecord<byte[], byte[]> record = record(headers("ce_specversion", "1.0", "ce_id", "e-24",
					"ce_source", "urn:probe", "ce_type", "test.Timed.v1", "content-type", "application/json"),
					"{\"at\":\"" + written + "\"}");
			assertThatExceptionOfType(InvalidEventException.class).as(written)
				.isThrownBy(() -> withModules.read(record, "test.Timed.v1", Timed.class))
				.withMessage("Event e-24 data is not a valid Timed: [at must be a date-time with its offset, such as "
						+ "2026-01-31T09:30:00Z]");
		}
		ConsumerRecord<byte[], byte[]> midnight = record(headers("ce_specversion", "1.0", "ce_id", "e-0", "ce_source",
				"urn:probe", "ce_type", "test.Timed.v1", "content-type", "application/json"),
				"{\"at\":\"2030-12-21T00:00:00Z\"}");
		assertThat(withModules.read(midnight, "test.Timed.v1", Timed.class).data())
			.isEqualTo(new Timed(java.time.Instant.parse("2030-12-21T00:00:00Z")));
	}

	record Sized(@jakarta.validation.constraints.Min(1) @jakarta.validation.constraints.Max(1000) Integer capacity,
			@jakarta.validation.constraints.Min(0) int partition, @jakarta.validation.constraints.Min(0) Long offset,
			@jakarta.validation.constraints.Max(10) short shelf, java.util.List<Integer> counts, String name) {
	}

	@Test
	void refusesAWholeNumberPastItsTypesRangeInEventDataNamingTheFieldAndItsOwnRange() {
		// as in a body (BodyFieldErrors): a capacity of 1 to 1000 given 12345678901234567890 is told its own range,
		// not an int's, and each such field is named, with any other field that does not read, never its value
		PlatformEvents withModule = new PlatformEvents(
				JsonMapper.builder().addModule(org.patientplatform.kit.web.BodyFieldErrors.module()).build(),
				this.validation.getValidator(), "test-service");
		ConsumerRecord<byte[], byte[]> record = record(headers("ce_specversion", "1.0", "ce_id", "e-big", "ce_source",
				"urn:probe", "ce_type", "test.Sized.v1", "content-type", "application/json"), """
						{"capacity": 12345678901234567890, "partition": 2147483648, "offset": 9223372036854775808,
						 "shelf": 40000, "counts": [1, 2147483648], "name": 7}""");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> withModule.read(record, "test.Sized.v1", Sized.class))
			.satisfies((ex) -> assertThat(ex.getMessage()).startsWith("Event e-big data is not a valid Sized: [")
				.contains("capacity must be a whole number from 1 to 1000",
						"partition must be a whole number from 0 to 2147483647",
						"offset must be a whole number from 0 to 9223372036854775807",
						"shelf must be a whole number from -32768 to 10",
						"counts[1] must be a whole number from -2147483648 to 2147483647", "name must be text")
				.doesNotContain("12345678901234567890", "40000"));

		// alone, such a number is named so too; the largest of each range reads
		ConsumerRecord<byte[], byte[]> one = record(headers("ce_specversion", "1.0", "ce_id", "e-one", "ce_source",
				"urn:probe", "ce_type", "test.Sized.v1", "content-type", "application/json"),
				"{\"capacity\": 1000, \"partition\": 2147483647, \"offset\": 9223372036854775807, \"shelf\": -32768, "
						+ "\"counts\": [2147483647], \"name\": \"n\"}");
		assertThat(withModule.read(one, "test.Sized.v1", Sized.class).data())
			.isEqualTo(new Sized(1000, Integer.MAX_VALUE, Long.MAX_VALUE, Short.MIN_VALUE,
					java.util.List.of(Integer.MAX_VALUE), "n"));
		ConsumerRecord<byte[], byte[]> alone = record(headers("ce_specversion", "1.0", "ce_id", "e-alone", "ce_source",
				"urn:probe", "ce_type", "test.Sized.v1", "content-type", "application/json"),
				"{\"capacity\": -99999999999, \"partition\": 0, \"offset\": 0, \"shelf\": 0, \"counts\": [], "
						+ "\"name\": \"n\"}");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> withModule.read(alone, "test.Sized.v1", Sized.class))
			.withMessage("Event e-alone data is not a valid Sized: [capacity must be a whole number from 1 to 1000]");
	}

	@Test
	void refusesDataThatNamesAFieldTwiceNamingTheFieldButNotItsValues() {
		// before: read, the last value kept; a producer that sent two names for a patient never learned which counted
		ConsumerRecord<byte[], byte[]> record = record(headers("ce_specversion", "1.0", "ce_id", "e-2", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json"),
				"{\"name\":\"Ada\",\"name\":\"Lovelace\"}");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(record, "test.Thing.v1", Thing.class))
			.withMessage("Event e-2 data is not a valid Thing: [name " + org.patientplatform.kit.web.BodyFieldErrors.DUPLICATE_FIELD
					+ "]");
	}

	@Test
	void namesTheRequiredCeHeadersARecordLacks() {
		RecordHeaders headers = headers("ce_specversion", "1.0", "ce_id", "e-1", "content-type", "application/json");
		ConsumerRecord<byte[], byte[]> record = record(headers, "{\"name\":\"secret-name\"}");

		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(record, "test.Thing.v1", Thing.class))
			.withMessage("Record is not a CloudEvent in binary mode: no ce_source, ce_type header (structured mode, a "
					+ "content-type header application/cloudevents+json, is read too)");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			an empty id             | ce_id         | ''                    | ce_id is empty (CloudEvents requires a non-empty id)
			an id of spaces         | ce_id         | '   '                 | ce_id is empty (CloudEvents requires a non-empty id)
			an empty source         | ce_source     | ''                    | ce_source is empty (CloudEvents requires a non-empty source)
			a source of spaces      | ce_source     | ' '                   | ce_source is empty (CloudEvents requires a non-empty source)
			an empty type           | ce_type       | ''                    | ce_type is empty (CloudEvents requires a non-empty type)
			specversion 2.0         | ce_specversion | 2.0                  | ce_specversion is 2.0; this platform reads CloudEvents 1.0
			specversion 0.3         | ce_specversion | 0.3                  | ce_specversion is 0.3; this platform reads CloudEvents 1.0
			a time not RFC 3339     | ce_time       | secret-yesterday      | ce_time is not an RFC 3339 timestamp
			a time without offset   | ce_time       | 2026-01-31T09:30:00   | ce_time is not an RFC 3339 timestamp
			a source not a URI      | ce_source     | '::: secret-not a uri' | ce_source is not a URI reference (RFC 3986)
			a dataschema not a URI  | ce_dataschema | 'secret schema'       | ce_dataschema is not a URI reference (RFC 3986)
			an extension badly named | ce_trace-id  | x                     | header ce_trace-id: after ce_ comes a CloudEvents attribute name (lowercase letters a-z and digits)
			""")
	void deadLettersAWrongCeHeaderNamingItButNotItsValue(String wrong, String header, String value, String reason) {
		// before: an empty ce_id (or source) was read, and processed_message, keyed on source and id, then dropped every
		// later event with an empty id from that source as a duplicate; a 0.3 was read where structured mode refuses
		// it; the others were dead-lettered as "CloudEventRWException", naming no header
		RecordHeaders headers = headers("ce_specversion", "1.0", "ce_id", "e-1", "ce_source", "urn:probe", "ce_type",
				"test.Thing.v1", "content-type", "application/json");
		headers.remove(header);
		headers.add(header, value.getBytes(StandardCharsets.UTF_8));
		ConsumerRecord<byte[], byte[]> record = record(headers, "{\"name\":\"n\"}");

		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(record, "test.Thing.v1", Thing.class))
			.withMessage("Record is not a CloudEvent in binary mode: " + reason + " (structured mode, a content-type "
					+ "header application/cloudevents+json, is read too)")
			.withMessageNotContaining("secret");
	}

	@Test
	void readsWhatCloudEventsAllowsARelativeSourceALowercaseTimeAnExtension() {
		// the refusals above must not catch what CloudEvents allows
		ConsumerRecord<byte[], byte[]> record = record(headers("ce_specversion", "1.0", "ce_id", "e-1", "ce_source",
				"/relative/source", "ce_type", "test.Thing.v1", "ce_time", "2026-01-31t09:30:00.5z", "ce_dataschema",
				"https://schemas.example/thing", "ce_priority", "3", "content-type", "application/json"),
				"{\"name\":\"n\"}");
		IncomingEvent<Thing> event = this.events.read(record, "test.Thing.v1", Thing.class);
		assertThat(event.source()).isEqualTo("/relative/source");
		assertThat(event.data()).isEqualTo(new Thing("n"));
	}

	@Test
	void saysARecordWithoutValueIsATombstone() {
		ConsumerRecord<byte[], byte[]> tombstone = new ConsumerRecord<>("test.things.v1", 0, 0L, "k".getBytes(
				StandardCharsets.UTF_8), null);

		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(tombstone, "test.Thing.v1", Thing.class))
			.withMessageStartingWith("Record has no value (a tombstone), and is not a CloudEvent in binary mode: no "
					+ "ce_specversion, ce_id, ce_source, ce_type header");
	}

	@Test
	void namesEveryRequiredCeHeaderOfARecordWithoutHeaders() {
		ConsumerRecord<byte[], byte[]> record = record(new RecordHeaders(), "{\"name\":\"secret-name\"}");

		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(record, "test.Thing.v1", Thing.class))
			.withMessage("Record is not a CloudEvent in binary mode: no ce_specversion, ce_id, ce_source, ce_type header "
					+ "(structured mode, a content-type header application/cloudevents+json, is read too)");
	}

	@Test
	void saysWhereJsonWithTrailingGarbageBreaksWithoutQuotingIt() {
		ConsumerRecord<byte[], byte[]> record = record(headers("ce_specversion", "1.0", "ce_id", "e-2", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json"),
				"{\"name\":\"secret-name\"}xyz");

		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(record, "test.Thing.v1", Thing.class))
			.withMessage("Event e-2 data is not a valid Thing (StreamReadException at line 1, column 23)")
			.withMessageNotContaining("secret-name");
	}

	@Test
	void refusesARecordGivingOneAttributeTwiceWithDifferentValues() {
		// before, the last header won: this record was applied as a request, whatever its producer meant
		ConsumerRecord<byte[], byte[]> twoTypes = record(headers("ce_specversion", "1.0", "ce_id", "e-10", "ce_source",
				"urn:probe", "ce_type", "test.Other.v1", "ce_type", "test.Thing.v1", "content-type", "application/json"),
				"{\"name\":\"secret-name\"}");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(twoTypes, "test.Thing.v1", Thing.class))
			.withMessage("Record is not a CloudEvent in binary mode: ce_type is given more than once, with different "
					+ "values (one header per attribute: which value was meant cannot be told) (structured mode, a "
					+ "content-type header application/cloudevents+json, is read too)");
		ConsumerRecord<byte[], byte[]> twoIds = record(headers("ce_specversion", "1.0", "ce_id", "e-11", "ce_id", "e-12",
				"ce_source", "urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json"),
				"{\"name\":\"n\"}");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(twoIds, "test.Thing.v1", Thing.class))
			.withMessageStartingWith("Record is not a CloudEvent in binary mode: ce_id is given more than once");

		// the same value twice says nothing else
		ConsumerRecord<byte[], byte[]> sameTwice = record(headers("ce_specversion", "1.0", "ce_id", "e-13", "ce_id",
				"e-13", "ce_source", "urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json",
				"traceparent", "a", "traceparent", "b"), "{\"name\":\"n\"}");
		assertThat(this.events.read(sameTwice, "test.Thing.v1", Thing.class).data()).isEqualTo(new Thing("n"));
	}

	@Test
	void saysDataIsNotUtf8NamingTheFieldAndTheCharsetItsContentTypeNames() {
		byte[] latin1 = "{\"name\":\"Caf\u00e9 secret\"}".getBytes(StandardCharsets.ISO_8859_1);
		ConsumerRecord<byte[], byte[]> labelled = record(headers("ce_specversion", "1.0", "ce_id", "e-14", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json; charset=ISO-8859-1"), latin1);
		// before: "(StreamReadException at org.patientplatform.kit.events.PlatformEventsReadTests$Thing["name"])"
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(labelled, "test.Thing.v1", Thing.class))
			.withMessage("Event e-14 data is not a valid Thing: its text is not UTF-8 (at name); its content type names "
					+ "charset iso-8859-1, and events are read as UTF-8")
			.withMessageNotContaining("secret");

		ConsumerRecord<byte[], byte[]> unlabelled = record(headers("ce_specversion", "1.0", "ce_id", "e-15", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json"), latin1);
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(unlabelled, "test.Thing.v1", Thing.class))
			.withMessage("Event e-15 data is not a valid Thing: its text is not UTF-8 (at name)");
	}

	@Test
	void namesTheLimitOfTheJsonReaderThatDataIsPastWithoutQuotingIt() {
		String deep = "[".repeat(5000) + "]".repeat(5000);
		ConsumerRecord<byte[], byte[]> record = record(headers("ce_specversion", "1.0", "ce_id", "e-6", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json"),
				"{\"name\":\"secret-name\",\"extra\":" + deep + "}");

		// before: "(StreamConstraintsException at an unknown position)", which said nothing of what to fix
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(record, "test.Thing.v1", Thing.class))
			.withMessageMatching("Event e-6 data is not a valid Thing: it is past a limit of the JSON reader \\(Document "
					+ "nesting depth \\(\\d+\\) exceeds the maximum allowed \\(\\d+\\)\\)")
			.withMessageNotContaining("secret-name");
	}

	@Test
	void saysDataIsJsonOfAnotherKindThanAnObject() {
		// a producer that wrote its data's JSON as text inside a string: before, "(MismatchedInputException at line 1,
		// column 1)"
		ConsumerRecord<byte[], byte[]> text = record(headers("ce_specversion", "1.0", "ce_id", "e-7", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json"),
				"\ufeff \"{\\\"name\\\":\\\"secret-name\\\"}\"");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(text, "test.Thing.v1", Thing.class))
			.withMessage("Event e-7 data is a JSON string, not the JSON object a Thing is (JSON written as text inside a "
					+ "string is not read as JSON)");
		ConsumerRecord<byte[], byte[]> array = record(headers("ce_specversion", "1.0", "ce_id", "e-8", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json"),
				"[{\"name\":\"secret-name\"}]");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(array, "test.Thing.v1", Thing.class))
			.withMessage("Event e-8 data is a JSON array, not the JSON object a Thing is");
		// a wrong value inside the object is still named by its field
		ConsumerRecord<byte[], byte[]> inside = record(headers("ce_specversion", "1.0", "ce_id", "e-9", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/json"),
				"{\"name\":[\"secret-name\"]}");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(inside, "test.Thing.v1", Thing.class))
			.withMessageStartingWith("Event e-9 data is not a valid Thing")
			.withMessageNotContaining("secret-name");
	}

	@Test
	void saysDataThatDoesNotReadIsLabelledAsSomethingElseThanJson() {
		ConsumerRecord<byte[], byte[]> xml = record(headers("ce_specversion", "1.0", "ce_id", "e-3", "ce_source",
				"urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/XML; charset=utf-8"),
				"<thing><name>secret-name</name></thing>");

		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(xml, "test.Thing.v1", Thing.class))
			.withMessage("Event e-3 data is not a valid Thing (StreamReadException at line 1, column 1); its content "
					+ "type is application/xml, and events are read as JSON (application/json)")
			.withMessageNotContaining("secret-name");

		// JSON that reads is taken whatever its label; a JSON label adds nothing to a JSON error
		ConsumerRecord<byte[], byte[]> labelledText = record(headers("ce_specversion", "1.0", "ce_id", "e-4",
				"ce_source", "urn:probe", "ce_type", "test.Thing.v1", "content-type", "text/plain"),
				"{\"name\":\"n\"}");
		assertThat(this.events.read(labelledText, "test.Thing.v1", Thing.class).data()).isEqualTo(new Thing("n"));
		ConsumerRecord<byte[], byte[]> cloudEventsJson = record(headers("ce_specversion", "1.0", "ce_id", "e-5",
				"ce_source", "urn:probe", "ce_type", "test.Thing.v1", "content-type", "application/vnd.lab+json"),
				"{\"name\":");
		assertThatExceptionOfType(InvalidEventException.class)
			.isThrownBy(() -> this.events.read(cloudEventsJson, "test.Thing.v1", Thing.class))
			.withMessageNotContaining("content type");
	}

	private static RecordHeaders headers(String... namesAndValues) {
		RecordHeaders headers = new RecordHeaders();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			headers.add(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
		}
		return headers;
	}

	private static ConsumerRecord<byte[], byte[]> record(RecordHeaders headers, String value) {
		return record(headers, value.getBytes(StandardCharsets.UTF_8));
	}

	private static ConsumerRecord<byte[], byte[]> record(RecordHeaders headers, byte[] value) {
		return new ConsumerRecord<>("things.v1", 0, 7L, ConsumerRecord.NO_TIMESTAMP,
				org.apache.kafka.common.record.TimestampType.NO_TIMESTAMP_TYPE, ConsumerRecord.NULL_SIZE,
				ConsumerRecord.NULL_SIZE, "k".getBytes(StandardCharsets.UTF_8), value, headers, java.util.Optional.empty());
	}

}
