package org.patientplatform.booking.bookings;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BookingStatusTests {

	@Test
	void holdsAPlaceOnlyWhileConfirmedCheckedInOrCalled() {
		assertThat(BookingStatus.values()).filteredOn(BookingStatus::holdsPlace)
			.containsExactly(BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.CALLED);
	}

	@Test
	void cancelsOnlyABookingThatWasNotYetCalled() {
		assertThat(BookingStatus.values()).filteredOn((status) -> status.canBecome(BookingStatus.CANCELLED))
			.containsExactly(BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN);
	}

	@Test
	void checksInOnlyAConfirmedBookingAndCallsOnlyAConfirmedOrCheckedInOne() {
		assertThat(BookingStatus.values()).filteredOn((status) -> status.canBecome(BookingStatus.CHECKED_IN))
			.containsExactly(BookingStatus.CONFIRMED);
		// a call that comes before its check-in (redriven out of order) implies it; a check-in after a call is late
		assertThat(BookingStatus.values()).filteredOn((status) -> status.canBecome(BookingStatus.CALLED))
			.containsExactly(BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN);
	}

	@Test
	void marksANoShowOnlyABookingThatHeldAPlace() {
		// a called patient who never came is a no-show too; a cancelled or rejected booking had no place to miss
		assertThat(BookingStatus.values()).filteredOn((status) -> status.canBecome(BookingStatus.NO_SHOW))
			.containsExactly(BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.CALLED);
		assertThat(BookingStatus.NO_SHOW.holdsPlace()).isFalse();
		for (BookingStatus next : BookingStatus.values()) {
			assertThat(BookingStatus.NO_SHOW.canBecome(next)).as("NO_SHOW to %s", next).isFalse();
		}
	}

	@Test
	void neverMovesIntoARejectionOrBackToConfirmed() {
		for (BookingStatus from : BookingStatus.values()) {
			assertThat(from.canBecome(BookingStatus.CONFIRMED)).isFalse();
			assertThat(from.canBecome(BookingStatus.REJECTED_FULL)).isFalse();
		}
	}

}
