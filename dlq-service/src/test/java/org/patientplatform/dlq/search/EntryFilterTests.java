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
		EntryFilter filter = new EntryFilter("svc'; DROP TABLE x; --", "t", List.of("NEW"), "E", "f", "k", null,
				Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-02T00:00:00Z"), "time out");
		EntryFilter.Where where = filter.where();
		assertThat(where.sql()).doesNotContain("DROP").contains("source_service = ?", "status = ANY(?::text[])",
				"record_key = ?", "last_failed_at >= ?", "last_failed_at < ?", "to_tsquery('simple', ?)");
		assertThat(where.args()).hasSize(11).contains("svc'; DROP TABLE x; --", "time:* & out:*");
	}

	@Test
	void checksThatTheMessageHoldsEachAsciiWordBesideTheIndexSoAWalkOfTheNewestEntriesBuildsNoWordsOfTheOthers() {
		EntryFilter.Where where = withText("Connection REFUS, été 42").where("r.", "s.", "r.");
		assertThat(where.sql()).isEqualTo("strpos(lower(coalesce(r.error_message, '')), ?) > 0"
				+ " AND strpos(lower(coalesce(r.error_message, '')), ?) > 0"
				+ " AND strpos(lower(coalesce(r.error_message, '')), ?) > 0 AND "
				+ EntryFilter.errorTextWords("r.") + " @@ to_tsquery('simple', ?)");
		assertThat(where.args()).as("no check for été: its lower case is PostgreSQL's in the index")
			.containsExactly("connection", "refus", "42", "connection:* & refus:* & été:* & 42:*");
		assertThat(withText("É").where().args()).containsExactly("é:*");
		assertThat(withText("  ").where().args()).isEmpty();
	}

	@Test
	void readsAKeyInBase64OfEitherAlphabetAndRefusesOneThatIsNotOrStandsBesideAKeyText() {
		assertThat(key(null, "//4AYmlu").keyBytes()).containsExactly(0xff, 0xfe, 0x00, 'b', 'i', 'n');
		assertThat(key(null, "__4AYmlu").keyBytes()).containsExactly(0xff, 0xfe, 0x00, 'b', 'i', 'n');
		assertThat(key(null, "AAAAAcg").keyBytes()).as("unpadded").containsExactly(0, 0, 0, 1, 0xc8);
		assertThat(key(null, "").keyBytes()).as("the empty key, as key= names it").isEmpty();
		assertThat(key(null, "//4AYmlu").isKeyBase64Readable()).isTrue();
		// a + that arrived as a space (not %2B in the URL), a stray character, a length no base64 has
		assertThat(key(null, "ab c").isKeyBase64Readable()).isFalse();
		assertThat(key(null, "a%b=").isKeyBase64Readable()).isFalse();
		assertThat(key(null, "abcde").isKeyBase64Readable()).isFalse();
		assertThat(key("bin", "Ymlu").isKeyBase64Readable()).as("both").isFalse();
		assertThat(key("k", null).keyBytes()).containsExactly('k');
		assertThat(key(null, null).keyBytes()).isNull();
		assertThat(key(null, "Ymlu").hasRecordCriteriaBesideService()).isTrue();
	}

	private static EntryFilter key(@Nullable String text, @Nullable String base64) {
		return new EntryFilter(null, null, null, null, null, text, base64, null, null, null);
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
		return new EntryFilter(null, null, null, null, null, null, null, null, null, q);
	}

	@Test
	void rejectsATimeRangeThatEndsBeforeItStarts() {
		Instant now = Instant.now();
		assertThat(new EntryFilter(null, null, null, null, null, null, null, now, now.minusSeconds(1), null).isFromBeforeTo())
			.isFalse();
		assertThat(new EntryFilter(null, null, null, null, null, null, null, now, null, null).isFromBeforeTo()).isTrue();
	}

}
