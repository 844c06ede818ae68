package org.patientplatform.kit.web;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class TimeCursorTests {

	@Test
	void readsBackWhatItWrote() {
		TimeCursor cursor = new TimeCursor(Instant.parse("2026-03-07T15:05:00.123456Z"), UUID.randomUUID());
		String text = cursor.encode();
		assertThat(text).matches("[A-Za-z0-9_-]+");
		assertThat(TimeCursor.decode(text)).isEqualTo(cursor);
		assertThat(TimeCursor.decodeOrFirst(text)).isEqualTo(cursor);
		assertThat(TimeCursor.decodeOrFirst(" ")).isNull();
	}

	@Test
	void rejectsTextItDidNotWrite() {
		for (String text : List.of("not a cursor!", "bm90LWEtY3Vyc29y", "",
				Page.encode(List.of("yesterday", UUID.randomUUID().toString())),
				Page.encode(List.of(Instant.now().toString(), "not-a-uuid")))) {
			assertThatExceptionOfType(Page.InvalidCursorException.class).as(text)
				.isThrownBy(() -> TimeCursor.decode(text));
		}
	}

}
