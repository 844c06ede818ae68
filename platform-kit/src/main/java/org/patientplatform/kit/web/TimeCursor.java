package org.patientplatform.kit.web;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Where a page ends in a list ordered by a time and an id (newest first, or earliest first as a site's slots):
 * the last item's time and id.
 * Clients see it as the opaque cursor of {@link Page}.
 *
 * @param at the last item's time
 * @param id the last item's id
 */
public record TimeCursor(Instant at, UUID id) {

	/** The cursor as {@link Page} encodes it. */
	public String encode() {
		return Page.encode(sortKey());
	}

	/** The sort key {@link Page#of} takes for the last item of a page. */
	public List<String> sortKey() {
		return List.of(this.at.toString(), this.id.toString());
	}

	/**
	 * @throws Page.InvalidCursorException (answered 400) when the text is not a cursor this class wrote
	 */
	public static TimeCursor decode(String text) {
		List<String> parts = Page.decode(text, 2);
		try {
			return new TimeCursor(Instant.parse(parts.get(0)), UUID.fromString(parts.get(1)));
		}
		catch (DateTimeException | IllegalArgumentException ex) {
			throw new Page.InvalidCursorException();
		}
	}

	/**
	 * The cursor a request passed, or null for the first page (no cursor, or a blank one).
	 * @throws Page.InvalidCursorException (answered 400) when the text is not a cursor this class wrote
	 */
	public static @Nullable TimeCursor decodeOrFirst(@Nullable String text) {
		return (text != null && !text.isBlank()) ? decode(text) : null;
	}

}
