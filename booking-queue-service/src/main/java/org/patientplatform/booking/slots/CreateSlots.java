package org.patientplatform.booking.slots;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
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
	 * @param startsAt when the slot starts, in the future but at most {@code booking.slots.max-ahead} ahead
	 * ({@link WithinSlotHorizon}), to the microsecond at most (what is stored: a finer time would be cut, and two
	 * slots a nanosecond apart would become one); hour 24 and second 60 are refused, as in every date-time the
	 * platform reads ({@link org.patientplatform.kit.web.TimesAsWritten})
	 * @param capacity its places, 1 to 1000 (a whole number: 2.5 is refused, not cut to 2); one past an int's range
	 * is refused with this range too (the kit tells a whole number past its type the field's own bounds)
	 */
	record NewSlot(@NotNull @Future @WithinSlotHorizon @Schema(
			description = "When the slot starts: in the future, at most booking.slots.max-ahead ahead (2 years by "
					+ "default; further is refused as a likely typo in the year), to the microsecond at most; "
					+ "hour 24 and a leap second (23:59:60) are refused") Instant startsAt,
			@NotNull @Min(value = 1, message = CAPACITY) @Max(value = 1000, message = CAPACITY) Integer capacity) {

		/**
		 * What a capacity out of its range is told, whichever side and however far: one past an int's range is told
		 * the same by the kit, from these bounds ({@link org.patientplatform.kit.web.BodyFieldErrors}).
		 */
		static final String CAPACITY = "must be a whole number from 1 to 1000";

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
