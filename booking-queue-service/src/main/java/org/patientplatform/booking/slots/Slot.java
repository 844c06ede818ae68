package org.patientplatform.booking.slots;

import java.time.Instant;
import java.util.UUID;

/**
 * A time at a site with a number of places.
 *
 * @param id the slot id
 * @param siteId the site
 * @param startsAt when it starts
 * @param capacity how many places it has, at least 1
 */
public record Slot(UUID id, String siteId, Instant startsAt, int capacity) {
}
