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
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

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
	 * is refused with this range too ({@link Capacity})
	 */
	record NewSlot(@NotNull @Future @WithinSlotHorizon @Schema(
			description = "When the slot starts: in the future, at most booking.slots.max-ahead ahead (2 years by "
					+ "default; further is refused as a likely typo in the year), to the microsecond at most; "
					+ "hour 24 and a leap second (23:59:60) are refused") Instant startsAt,
			@NotNull @Min(value = 1, message = CAPACITY) @Max(value = 1000, message = CAPACITY) @JsonDeserialize(
					using = Capacity.class) Integer capacity) {

		/** What a capacity out of its range is told, whichever side and however far. */
		static final String CAPACITY = "must be a whole number from 1 to 1000";

		@AssertTrue(message = "must be given to the microsecond at most (six decimals of a second)")
		@ReportedOn("startsAt")
		boolean isStartsAtInMicroseconds() {
			return this.startsAt == null || this.startsAt.getNano() % 1000 == 0;
		}

	}

	/**
	 * A capacity as the API reads every whole number, but for one past an int's range ({@code 12345678901234567890}):
	 * Jackson refuses it with the range of an int, which is not the capacity's. It is read as a value past the bound
	 * on its side, so that it is refused with the capacity's own range ({@link NewSlot#CAPACITY}), as 0 and 1001
	 * are.
	 */
	static final class Capacity extends ValueDeserializer<Integer> {

		@Override
		public @Nullable Integer deserialize(JsonParser parser, DeserializationContext context)
				throws JacksonException {
			if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT
					&& parser.getNumberType() != JsonParser.NumberType.INT) {
				return (parser.getBigIntegerValue().signum() < 0) ? Integer.MIN_VALUE : Integer.MAX_VALUE;
			}
			// every other check of a whole number in a body (its JSON type, a fraction) as before
			return context.readValue(parser, Integer.class);
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
