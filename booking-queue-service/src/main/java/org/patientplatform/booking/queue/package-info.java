/**
 * Queue: the checked-in bookings of each site waiting to be called, in order of check-in, and their positions.
 */
@NullMarked
package org.patientplatform.booking.queue;

import org.jspecify.annotations.NullMarked;
