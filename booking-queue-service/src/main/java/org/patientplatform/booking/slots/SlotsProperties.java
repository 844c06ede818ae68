package org.patientplatform.booking.slots;

import java.time.Period;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The slots' settings.
 *
 * @param maxAhead how far ahead a slot may start ({@code booking.slots.max-ahead}, two years by default): one further
 * out is refused as a likely typo in its year ({@code 9999-12-31}, {@code 2062} for {@code 2026}), which would
 * otherwise be listed and bookable for decades
 */
@ConfigurationProperties("booking.slots")
@Validated
record SlotsProperties(@NotNull @DefaultValue("P2Y") Period maxAhead) {

	/** The default, also what a validator made outside Spring (no properties) holds slots to. */
	static final Period DEFAULT_MAX_AHEAD = Period.ofYears(2);

	SlotsProperties {
		if (maxAhead != null && (maxAhead.isNegative() || maxAhead.isZero())) {
			throw new IllegalArgumentException("booking.slots.max-ahead must be positive, not " + maxAhead);
		}
	}

}
