package org.patientplatform.booking.slots;

import java.time.Instant;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * Command: create slots at a site, all or none.
 *
 * @param slots the slots, at most 500
 */
record CreateSlots(@NotEmpty @Size(max = 500) List<@Valid @NotNull NewSlot> slots) {

	/**
	 * @param startsAt when the slot starts
	 * @param capacity its places, 1 to 1000
	 */
	record NewSlot(@NotNull Instant startsAt, @NotNull @Min(1) @Max(1000) Integer capacity) {
	}

}
