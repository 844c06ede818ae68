package org.patientplatform.booking.queue;

import java.time.Instant;
import java.util.UUID;

/**
 * A booking waiting in its site's queue.
 *
 * @param position 1 for the next to be called
 */
record QueuePosition(int position, UUID bookingId, String siteId, String patientId, Instant checkedInAt) {
}
