package org.patientplatform.booking.bookings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.cloudevents.CloudEvent;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.patientplatform.kit.events.PlatformEvents;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documented examples in {@code docs/events} are what this service reads and writes (BookingConfirmed,
 * BookingCancelled): each maps to its record
 * through the application's JsonMapper, is valid, and writes back to the same JSON; the documented
 * headers are the ones the envelope writes.
 */
class BookingEventContractTests {

	static Stream<Arguments> contracts() {
		return Stream.of(Arguments.of(BookingRequested.TYPE, BookingRequested.class),
				Arguments.of(BookingConfirmed.TYPE, BookingConfirmed.class),
				Arguments.of(BookingCancelled.TYPE, BookingCancelled.class),
				Arguments.of(BookingCheckedIn.TYPE, BookingCheckedIn.class),
				Arguments.of(BookingCalled.TYPE, BookingCalled.class),
				Arguments.of(BookingNoShow.TYPE, BookingNoShow.class));
	}

	@ParameterizedTest
	@MethodSource("contracts")
	void readsAndWritesTheDocumentedExample(String type, Class<?> record) throws Exception {
		String example = Files.readString(Path.of("..", "docs", "events", type + ".json"));
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
			.run((context) -> {
				JsonMapper json = context.getBean(JsonMapper.class);
				Object event = json.readValue(example, record);
				Validator validator = Validation.buildDefaultValidatorFactory().getValidator();
				assertThat(validator.validate(event)).isEmpty();
				assertThat(json.readTree(json.writeValueAsString(event))).isEqualTo(json.readTree(example));

				PlatformEvents events = new PlatformEvents(json, validator, "booking-queue-service");
				CloudEvent envelope = events.create(type, "site-north", event);
				RecordHeaders headers = new RecordHeaders();
				events.serialize("booking.events.v1", envelope, headers);
				Set<String> written = new TreeSet<>();
				for (Header header : headers) {
					written.add(header.key());
				}
				JsonNode documented = json.readTree(Files.readString(Path.of("..", "docs", "events", type + ".headers.json")));
				assertThat(written).isEqualTo(new TreeSet<>(documented.propertyNames()));
				assertThat(documented.get("ce_type").asString()).isEqualTo(type);
				assertThat(envelope.getSource()).hasToString(documented.get("ce_source").asString());
				assertThat(events.data(envelope, type, record)).isEqualTo(event);
			});
	}

}
