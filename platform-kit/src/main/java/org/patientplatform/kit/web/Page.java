package org.patientplatform.kit.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One page of a keyset (cursor) listing. The cursor is opaque to clients: the sort key of the last item,
 * encoded; pass it back as {@code cursor} to get the next page. No next page when {@code nextCursor} is
 * null.
 *
 * @param items the page's items
 * @param nextCursor the cursor of the next page, or null
 */
public record Page<T>(List<T> items, @Nullable String nextCursor) {

	/** The page size when none is asked for. */
	public static final int DEFAULT_LIMIT = 50;

	/** The largest page served. */
	public static final int MAX_LIMIT = 200;

	/** The page size to serve: the default when none is asked, never more than the cap, at least 1. */
	public static int limit(@Nullable Integer requested) {
		if (requested == null) {
			return DEFAULT_LIMIT;
		}
		return Math.max(1, Math.min(MAX_LIMIT, requested));
	}

	/**
	 * Builds a page from {@code limit + 1} fetched rows: the extra row only says a next page exists.
	 * @param fetched the rows, at most {@code limit + 1}
	 * @param limit the page size
	 * @param sortKey the sort key of an item, as strings, e.g. its timestamp and id
	 */
	public static <T> Page<T> of(List<T> fetched, int limit, java.util.function.Function<T, List<String>> sortKey) {
		if (fetched.size() <= limit) {
			return new Page<>(List.copyOf(fetched), null);
		}
		List<T> items = List.copyOf(fetched.subList(0, limit));
		return new Page<>(items, encode(sortKey.apply(items.getLast())));
	}

	/** Encodes a sort key as an opaque cursor. */
	public static String encode(List<String> sortKey) {
		return Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(String.join("\u001f", sortKey).getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Decodes a cursor this class encoded.
	 * @throws InvalidCursorException (answered 400) for anything else
	 */
	public static List<String> decode(String cursor, int parts) {
		try {
			String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
			List<String> values = List.of(text.split("\u001f", -1));
			if (values.size() != parts) {
				throw new InvalidCursorException();
			}
			return values;
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidCursorException();
		}
	}

	/** A cursor that this service did not issue. */
	public static class InvalidCursorException extends RuntimeException {

		public InvalidCursorException() {
			super("The cursor is not valid; start again without one.");
		}

	}

}
