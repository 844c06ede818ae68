package org.patientplatform.dlq.search;

import java.time.Instant;
import java.util.List;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EntryFilterTests {

	@Test
	void matchesEveryEntryWithoutCriteria() {
		assertThat(EntryFilter.all().where().sql()).isEqualTo("TRUE");
		assertThat(EntryFilter.all().where().args()).isEmpty();
	}

	@Test
	void passesEveryCriterionAsAnArgumentNeverAsSql() {
		EntryFilter filter = new EntryFilter("svc'; DROP TABLE x; --", "t", List.of("NEW"), "E", "f", "k",
				Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-02T00:00:00Z"), "time out");
		EntryFilter.Where where = filter.where();
		assertThat(where.sql()).doesNotContain("DROP").contains("source_service = ?", "status = ANY(?::text[])",
				"record_key = ?", "last_failed_at >= ?", "last_failed_at < ?", "to_tsquery('simple', ?)");
		assertThat(where.args()).hasSize(9).contains("svc'; DROP TABLE x; --", "time:* & out:*");
	}

	@Test
	void turnsFreeTextIntoPrefixWordsAndDropsQuerySyntax() {
		assertThat(EntryFilter.textQuery("Connection REFUS")).isEqualTo("connection:* & refus:*");
		assertThat(EntryFilter.textQuery("a & !b | (c:*)")).isEqualTo("a:* & b:* & c:*");
		assertThat(EntryFilter.textQuery(" &|! ")).isNull();
		assertThat(EntryFilter.textQuery(null)).isNull();
	}

	@Test
	void rejectsATextWithoutAWordButTakesAnEmptyOneAsNoCriterion() {
		try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
			Validator validator = factory.getValidator();
			for (String noWord : List.of("!!!", "\u0000", "?! -")) {
				assertThat(validator.validate(withText(noWord))).as(noWord)
					.singleElement()
					.satisfies((violation) -> assertThat(violation.getPropertyPath()).hasToString("q"));
				assertThat(EntryFilter.textQuery(noWord)).isNull();
			}
			for (String searchable : List.of("timed out!", "É", "404", "", "  ", "\n")) {
				assertThat(validator.validate(withText(searchable))).as(searchable).isEmpty();
			}
			assertThat(validator.validate(withText(null))).isEmpty();
		}
		assertThat(withText("  ").hasRecordCriteria()).isFalse();
	}

	private static EntryFilter withText(@Nullable String q) {
		return new EntryFilter(null, null, null, null, null, null, null, null, q);
	}

	@Test
	void rejectsATimeRangeThatEndsBeforeItStarts() {
		Instant now = Instant.now();
		assertThat(new EntryFilter(null, null, null, null, null, null, now, now.minusSeconds(1), null).isFromBeforeTo())
			.isFalse();
		assertThat(new EntryFilter(null, null, null, null, null, null, now, null, null).isFromBeforeTo()).isTrue();
	}

}
