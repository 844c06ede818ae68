package org.patientplatform.booking.queue;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.Page;

/**
 * Where a page of a site's queue ends: the last booking's check-in time and its arrival here, the queue's own
 * order (arrival breaks ties between equal check-in times). Clients see it as the opaque cursor of {@link Page}.
 *
 * @param checkedInAt the last booking's check-in time
 * @param arrival the last booking's arrival in the queue
 */
record QueueCursor(Instant checkedInAt, long arrival) {

	/** The sort key {@link Page#of} takes for the last item of a page. */
	List<String> sortKey() {
		return List.of(this.checkedInAt.toString(), Long.toString(this.arrival));
	}

	/**
	 * The cursor a request passed, or null for the first page (no cursor, or a blank one).
	 * @throws Page.InvalidCursorException (answered 400) when the text is not a cursor this class wrote
	 */
	static @Nullable QueueCursor decodeOrFirst(@Nullable String text) {
		if (text == null || text.isBlank()) {
			return null;
		}
		List<String> parts = Page.decode(text, 2);
		try {
			return new QueueCursor(Instant.parse(parts.get(0)), Long.parseLong(parts.get(1)));
		}
		catch (DateTimeException | IllegalArgumentException ex) {
			throw new Page.InvalidCursorException();
		}
	}

}
