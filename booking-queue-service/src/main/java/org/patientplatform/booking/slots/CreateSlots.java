package org.patientplatform.booking.slots;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.ReportedOn;

/**
 * Command: create slots at a site, all or none.
 *
 * @param slots the slots, at most 500
 */
record CreateSlots(@NotEmpty @Size(max = 500) List<@Valid @NotNull NewSlot> slots) {

	/**
	 * @param startsAt when the slot starts, in the future, to the microsecond at most (what is stored: a
	 * finer time would be cut, and two slots a nanosecond apart would become one)
	 * @param capacity its places, 1 to 1000 (a whole number: 2.5 is refused, not cut to 2)
	 */
	record NewSlot(@NotNull @Future Instant startsAt, @NotNull @Min(1) @Max(1000) Integer capacity) {

		@AssertTrue(message = "must be given to the microsecond at most (six decimals of a second)")
		@ReportedOn("startsAt")
		boolean isStartsAtInMicroseconds() {
			return this.startsAt == null || this.startsAt.getNano() % 1000 == 0;
		}

	}

	/** The indexes of the first two slots that start at the same time, or null when every time differs. */
	int @Nullable [] sameTime() {
		Map<Instant, Integer> seen = new HashMap<>();
		for (int i = 0; i < this.slots.size(); i++) {
			Integer earlier = seen.putIfAbsent(this.slots.get(i).startsAt(), i);
			if (earlier != null) {
				return new int[] { earlier, i };
			}
		}
		return null;
	}

}
