package org.patientplatform.notification.delivery;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.patientplatform.kit.web.Page;

/**
 * Where a page of notifications ends: the last item's creation time and id (the list is
 * ordered by both, newest first). Clients see it as the kit's opaque cursor.
 */
record PageCursor(Instant createdAt, UUID id) {

	static List<String> sortKey(Notification notification) {
		return List.of(notification.createdAt().toString(), notification.id().toString());
	}

	String encode() {
		return Page.encode(List.of(this.createdAt.toString(), this.id.toString()));
	}

	/**
	 * @throws Page.InvalidCursorException (answered 400) when the text is not a cursor
	 * this service wrote
	 */
	static PageCursor decode(String text) {
		List<String> parts = Page.decode(text, 2);
		try {
			return new PageCursor(Instant.parse(parts.get(0)), UUID.fromString(parts.get(1)));
		}
		catch (DateTimeException | IllegalArgumentException ex) {
			throw new Page.InvalidCursorException();
		}
	}

}
