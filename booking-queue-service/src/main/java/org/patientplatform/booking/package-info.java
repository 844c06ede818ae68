/**
 * The booking queue service (spc--booking-qs): slots of a site, bookings of places in them, and the
 * site's queue of checked-in patients.
 */
@NullMarked
package org.patientplatform.booking;

import org.jspecify.annotations.NullMarked;
