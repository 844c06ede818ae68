package org.patientplatform.notification.delivery;

import org.patientplatform.kit.events.IncomingEvent;

/**
 * What names the event a notification was made from: its source and its id, as CloudEvents names an event. Stored as
 * the notification's {@code source_event_id} (unique): the id alone made a second producer's event, whose id happened
 * to be the first one's, the same event, and its notice was dropped without a word.
 */
public final class SourceEvents {

	private SourceEvents() {
	}

	/** {@code <source> <id>}: a source is a URI reference, which holds no space, so the two cannot run together. */
	public static String key(IncomingEvent<?> event) {
		return event.source() + " " + event.id();
	}

}
