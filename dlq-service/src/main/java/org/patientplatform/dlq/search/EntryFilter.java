package org.patientplatform.dlq.search;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.capture.FieldLimits;
import org.patientplatform.kit.web.ReportedOn;

import org.springframework.format.annotation.DateTimeFormat;

/**
 * Which entries: every given criterion must match (none given: all entries). Used by the search API as
 * query parameters and by bulk redrive as JSON.
 *
 * @param sourceService the failing service (a name: no control character, which no stored name holds, as the
 *        capture makes a record naming one raw)
 * @param topic the original topic
 * @param status one or more statuses
 * @param errorClass the exception class, exactly
 * @param fingerprint the failure fingerprint
 * @param key the record key as UTF-8 text, exactly
 * @param keyBase64 the record key's bytes in base64 (standard or URL-safe alphabet), exactly: a key that is no
 *        UTF-8 text (an Avro or a binary key) as the entry's detail shows it; not beside {@code key}
 * @param from last failure at or after
 * @param to last failure before
 * @param q words in the error message (each word also matches as a prefix)
 */
public record EntryFilter(@Parameter(description = "The failing service; (none) for entries without one") @Nullable @Size(max = FieldLimits.NAME) @Pattern(regexp = FieldLimits.NAME_TEXT, message = FieldLimits.NAME_RULE) String sourceService,
		@Parameter(description = "The original topic; (none) for entries without one") @Nullable @Size(max = FieldLimits.NAME) @Pattern(regexp = FieldLimits.NAME_TEXT, message = FieldLimits.NAME_RULE) String topic,
		@Parameter(description = "Statuses (repeat the parameter for several)") @Nullable @Size(max = 6) List<@Pattern(
				regexp = "NEW|RETRY_SCHEDULED|RETRYING|RESOLVED|PERMANENTLY_FAILED|DISCARDED",
				message = "must be NEW, RETRY_SCHEDULED, RETRYING, RESOLVED, PERMANENTLY_FAILED or DISCARDED") String> status,
		@Parameter(description = "The exception class, exactly; (none) for entries without one") @Nullable @Size(max = FieldLimits.NAME) @Pattern(regexp = FieldLimits.NAME_TEXT, message = FieldLimits.NAME_RULE) String errorClass,
		@Parameter(description = "The failure fingerprint") @Nullable @Size(max = FieldLimits.NAME) @Pattern(regexp = FieldLimits.NAME_TEXT, message = FieldLimits.NAME_RULE) String fingerprint,
		@Parameter(description = "The record key as text, exactly") @Nullable @Size(max = 16384) String key,
		@Parameter(description = "The record key's bytes in base64, exactly (as an entry's keyBase64; a key that is "
				+ "no text); not beside key. In a URL, + is %2B") @Nullable @Size(max = 21848) String keyBase64,
		// ISO-8601 only: Spring also read a bare number, as epoch milliseconds, so from=1765000000 (seconds, as
		// many clients write it) searched from January 1970 and matched everything without a word
		@Parameter(description = "Last failure at or after (ISO-8601 instant)") @DateTimeFormat(
				iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant from,
		@Parameter(description = "Last failure before (ISO-8601 instant)") @DateTimeFormat(
				iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant to,
		@Parameter(description = "Words in the error message; each word also matches as a prefix") @Nullable @Size(
				max = 200) @Pattern(regexp = SEARCHABLE_TEXT,
						message = "must hold a letter or a digit: the search matches words of the error message") String q) {

	/**
	 * A text the search can use: blank (no criterion, as a form's empty search box sends it), or holding a
	 * letter or a digit. Punctuation alone, or a control character, holds no word: taken as no criterion it
	 * would select every entry, a bulk redrive by that filter too.
	 */
	static final String SEARCHABLE_TEXT = "(?s)\\s*|.*[\\p{L}\\p{N}].*";

	/**
	 * What the facets name entries without a source service, topic or error class; as one of those criteria, it
	 * selects them (no service, topic or error class is named so: Kafka allows no parentheses in a topic's name).
	 */
	public static final String NONE = "(none)";

	/** No criteria: every entry. */
	public static EntryFilter all() {
		return new EntryFilter(null, null, null, null, null, null, null, null, null, null);
	}

	@ReportedOn("keyBase64")
	@AssertTrue(message = "must be base64 (as an entry's keyBase64; in a URL, + is %2B), and not beside key")
	@JsonIgnore
	@Schema(hidden = true)
	@Parameter(hidden = true)
	public boolean isKeyBase64Readable() {
		if (this.keyBase64 == null) {
			return true;
		}
		return this.key == null && decodedKey(this.keyBase64) != null;
	}

	/** The record key the filter names, as bytes; null for none. */
	@JsonIgnore
	public byte @Nullable [] keyBytes() {
		if (this.key != null) {
			return this.key.getBytes(StandardCharsets.UTF_8);
		}
		return (this.keyBase64 != null) ? decodedKey(this.keyBase64) : null;
	}

	/** The bytes of a base64 text in either alphabet, padded or not; null when it is not base64. */
	private static byte @Nullable [] decodedKey(String base64) {
		boolean urlSafe = base64.indexOf('-') >= 0 || base64.indexOf('_') >= 0;
		try {
			return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(base64);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	@ReportedOn("from")
	@AssertTrue(message = "must be before to")
	@JsonIgnore
	@Schema(hidden = true)
	@Parameter(hidden = true)
	public boolean isFromBeforeTo() {
		return this.from == null || this.to == null || this.from.isBefore(this.to);
	}

	/** True when a status was asked for explicitly. */
	@JsonIgnore
	public boolean hasStatus() {
		return this.status != null && !this.status.isEmpty();
	}

	/**
	 * True when a criterion other than status and time is given: one that an index of the entry's record
	 * answers (the search then walks the record's indexes, not the state's).
	 */
	@JsonIgnore
	public boolean hasRecordCriteria() {
		return (this.sourceService != null && !this.sourceService.isBlank()) || hasRecordCriteriaBesideService();
	}

	/**
	 * True when a criterion other than status, time and source service is given: one that only the entry's
	 * record holds (its state holds copies of the source service and of the last failure time).
	 */
	@JsonIgnore
	public boolean hasRecordCriteriaBesideService() {
		return (this.topic != null && !this.topic.isBlank())
				|| (this.errorClass != null && !this.errorClass.isBlank())
				|| (this.fingerprint != null && !this.fingerprint.isBlank()) || this.key != null
				|| this.keyBase64 != null || textQuery(this.q) != null;
	}

	/**
	 * The SQL condition (on the view {@code dead_letter_entry} without alias) and its arguments;
	 * {@code TRUE} for no criteria. Every criterion is an argument, never SQL text.
	 */
	public Where where() {
		return where("", "", "");
	}

	/**
	 * The SQL condition on the entry's tables, their columns prefixed: {@code record} for
	 * {@code dead_letter_record}, {@code state} for {@code dead_letter_state}, and {@code time} for the one
	 * whose {@code last_failed_at} (both hold it) the time range is to use.
	 */
	public Where where(String record, String state, String time) {
		List<String> conditions = new ArrayList<>();
		List<Object> args = new ArrayList<>();
		if (this.sourceService != null && !this.sourceService.isBlank()) {
			equalOrNone(record + "source_service", this.sourceService, conditions, args);
		}
		if (this.topic != null && !this.topic.isBlank()) {
			equalOrNone(record + "original_topic", this.topic, conditions, args);
		}
		if (hasStatus()) {
			conditions.add(state + "status = ANY(?::text[])");
			args.add(this.status.toArray(String[]::new));
		}
		if (this.errorClass != null && !this.errorClass.isBlank()) {
			equalOrNone(record + "error_class", this.errorClass, conditions, args);
		}
		if (this.fingerprint != null && !this.fingerprint.isBlank()) {
			conditions.add(record + "fingerprint = ?");
			args.add(this.fingerprint);
		}
		byte[] keyBytes = keyBytes();
		if (keyBytes != null) {
			conditions.add(record + "record_key = ?");
			args.add(keyBytes);
		}
		if (this.from != null) {
			conditions.add(time + "last_failed_at >= ?");
			args.add(this.from.atOffset(ZoneOffset.UTC));
		}
		if (this.to != null) {
			conditions.add(time + "last_failed_at < ?");
			args.add(this.to.atOffset(ZoneOffset.UTC));
		}
		String words = textQuery(this.q);
		if (words != null) {
			for (String word : asciiWords(this.q)) {
				conditions.add("strpos(lower(coalesce(" + record + "error_message, '')), ?) > 0");
				args.add(word);
			}
			conditions.add(errorTextWords(record) + " @@ to_tsquery('simple', ?)");
			args.add(words);
		}
		return new Where(conditions.isEmpty() ? "TRUE" : String.join(" AND ", conditions), List.copyOf(args));
	}

	/**
	 * A column equal to the value, or without one when the value is {@link #NONE}: the facets' name for the entries
	 * that have none, which an operator can then select (before, it matched nothing).
	 */
	private static void equalOrNone(String column, String value, List<String> conditions, List<Object> args) {
		if (NONE.equals(value)) {
			conditions.add(column + " IS NULL");
		}
		else {
			conditions.add(column + " = ?");
			args.add(value);
		}
	}

	/**
	 * The words of the error message as the index holds them (migration V11; the text must stay the same
	 * for PostgreSQL to use the index): punctuation becomes spaces first, so the words are those
	 * {@link #textQuery} splits the search text into (the parser alone reads {@code 4536-8354} as
	 * {@code 4536} and {@code -8354}, and {@code lab.test-results.v1} as two host-like tokens).
	 */
	static String errorTextWords(String alias) {
		return "to_tsvector('simple', regexp_replace(coalesce(" + alias
				+ "error_message, ''), '[^[:alnum:]]+', ' ', 'g'))";
	}

	/** Words of letters and digits, each as a prefix, all required; null when there are none. */
	static @Nullable String textQuery(@Nullable String q) {
		List<String> terms = words(q).stream().map((word) -> word + ":*").toList();
		return terms.isEmpty() ? null : String.join(" & ", terms);
	}

	/**
	 * The words of {@link #textQuery} that are ASCII letters and digits alone, each a text the lower-cased error
	 * message must hold for the entry to match: a word of the index is a run of the message's letters and digits,
	 * lower-cased as {@code lower} does it, so a word it starts with is in {@code lower(error_message)}. The check
	 * is a condition beside the index's, which PostgreSQL evaluates first, being the cheaper: a search walking the
	 * newest entries (a word common to many) had built the words of each entry it passed, about 35 µs an entry, so
	 * 3,200 newest entries of another error made {@code q=connection} 114 ms; with it, 7.7 ms. A word with other
	 * letters has no such check (its lower case in Java and in PostgreSQL may differ); the index decides alone.
	 */
	static List<String> asciiWords(@Nullable String q) {
		return words(q).stream().filter((word) -> word.matches("[a-z0-9]+")).toList();
	}

	private static List<String> words(@Nullable String q) {
		if (q == null) {
			return List.of();
		}
		List<String> words = new ArrayList<>();
		for (String word : q.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
			if (!word.isEmpty() && words.size() < 10) {
				words.add(word);
			}
		}
		return words;
	}

	/**
	 * @param sql the condition
	 * @param args its arguments, in order
	 */
	public record Where(String sql, List<Object> args) {
	}

}
