/**
 * Slots: the start times of a site with their number of places, created by staff, and their availability.
 */
@NullMarked
package org.patientplatform.booking.slots;

import org.jspecify.annotations.NullMarked;
