package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.web.Page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PageCursorTests {

	@Test
	void readsBackWhatItWrote() {
		PageCursor cursor = new PageCursor(Instant.parse("2026-03-07T15:05:00.123456Z"), UUID.randomUUID());
		String text = cursor.encode();
		assertThat(text).matches("[A-Za-z0-9_-]+");
		assertThat(PageCursor.decode(text)).isEqualTo(cursor);
	}

	@Test
	void rejectsTextItDidNotWrite() {
		for (String text : List.of("not a cursor!", "bm90LWEtY3Vyc29y", "",
				Page.encode(List.of("yesterday", UUID.randomUUID().toString())),
				Page.encode(List.of(Instant.now().toString(), "not-a-uuid")))) {
			assertThatExceptionOfType(Page.InvalidCursorException.class).as(text)
				.isThrownBy(() -> PageCursor.decode(text));
		}
	}

}
