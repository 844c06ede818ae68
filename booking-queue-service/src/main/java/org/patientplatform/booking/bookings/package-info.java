/**
 * Bookings: a patient's place in a slot, taken through the API or from {@code booking.events.v1}, and
 * its lifecycle (cancelled, checked in, called). The event records here are the topic's contracts.
 */
@NullMarked
package org.patientplatform.booking.bookings;

import org.jspecify.annotations.NullMarked;
