package org.patientplatform.kit.web;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.format.support.DefaultFormattingConversionService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class TimesAsWrittenTests {

	/** Text java.time's instant reader takes as another time: the next day's midnight, or 23:59:59. */
	static final List<String> ANOTHER_TIME = List.of("2026-12-20T24:00:00Z", "2026-12-20t24:00:00+01:00",
			"2026-12-20T24:00:00.000Z", "2026-12-20T23:59:60Z", "2026-12-20T23:59:60.5Z", "2026-12-20T23:59:60-01:00");

	record Timed(@Nullable Instant at) {
	}

	record Filter(@DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant from) {
	}

	final JsonMapper json = JsonMapper.builder().addModule(TimesAsWritten.module()).build();

	@Test
	void tellsTheTextJavaTimeReadsAsAnotherTime() {
		assertThat(ANOTHER_TIME).allMatch(TimesAsWritten::readAsAnotherTime);
		assertThat(List.of("2026-12-21T00:00:00Z", "2026-12-20T23:59:59Z", "2024-02-24T12:00:00Z",
				"2026-12-20T12:24:00Z", "2026-12-20T23:24:24+02:40", "2026-12-20T23:59:59.60Z"))
			.noneMatch(TimesAsWritten::readAsAnotherTime);
	}

	@Test
	void refusesHour24AndALeapSecondInJson() {
		// without the module, the first was read as 2026-12-21T00:00:00Z and the second as 23:59:59
		assertThat(JsonMapper.builder().build().readValue("{\"at\":\"2026-12-20T24:00:00Z\"}", Timed.class))
			.isEqualTo(new Timed(Instant.parse("2026-12-21T00:00:00Z")));
		for (String text : ANOTHER_TIME) {
			assertThatExceptionOfType(InvalidFormatException.class).as(text)
				.isThrownBy(() -> this.json.readValue("{\"at\":\"" + text + "\"}", Timed.class))
				.satisfies((ex) -> assertThat(ex.getTargetType()).isEqualTo(Instant.class));
		}
	}

	@Test
	void readsJsonInstantsWrittenAsSuchAsBefore() {
		assertThat(this.json.readValue("{\"at\":\"2026-12-21T00:00:00Z\"}", Timed.class))
			.isEqualTo(new Timed(Instant.parse("2026-12-21T00:00:00Z")));
		assertThat(this.json.readValue("{\"at\":\"2026-12-21T00:59:59+01:00\"}", Timed.class))
			.isEqualTo(new Timed(Instant.parse("2026-12-20T23:59:59Z")));
		assertThat(this.json.readValue("{\"at\":null}", Timed.class)).isEqualTo(new Timed(null));
		assertThat(this.json.readValue("[\"2026-12-21T00:00:00Z\"]", Instant[].class))
			.containsExactly(Instant.parse("2026-12-21T00:00:00Z"));
		Map<String, Instant> map = this.json.readValue("{\"a\":\"2026-12-21T00:00:00Z\"}",
				this.json.getTypeFactory().constructMapType(Map.class, String.class, Instant.class));
		assertThat(map).isEqualTo(Map.of("a", Instant.parse("2026-12-21T00:00:00Z")));
	}

	@Test
	void refusesHour24AndALeapSecondInAParameterWithOrWithoutDateTimeFormat() throws Exception {
		DefaultFormattingConversionService conversions = new DefaultFormattingConversionService();
		TimesAsWritten.addFormatters(conversions);
		TypeDescriptor annotated = new TypeDescriptor(Filter.class.getDeclaredField("from"));
		TypeDescriptor plain = TypeDescriptor.valueOf(Instant.class);
		for (String text : ANOTHER_TIME) {
			for (TypeDescriptor type : List.of(annotated, plain)) {
				assertThatExceptionOfType(ConversionFailedException.class).as(text + " " + type)
					.isThrownBy(() -> conversions.convert(text, TypeDescriptor.valueOf(String.class), type));
			}
		}
		for (TypeDescriptor type : List.of(annotated, plain)) {
			assertThat(conversions.convert("2026-12-21T00:00:00Z", TypeDescriptor.valueOf(String.class), type))
				.isEqualTo(Instant.parse("2026-12-21T00:00:00Z"));
			assertThat(conversions.convert("2026-12-21T00:59:59+01:00", TypeDescriptor.valueOf(String.class), type))
				.isEqualTo(Instant.parse("2026-12-20T23:59:59Z"));
		}
		// an annotated parameter still takes no bare number (Spring's own rule, kept): only the plain one reads
		// epoch milliseconds
		assertThatExceptionOfType(ConversionFailedException.class)
			.isThrownBy(() -> conversions.convert("1765000000", TypeDescriptor.valueOf(String.class), annotated));
	}

}
