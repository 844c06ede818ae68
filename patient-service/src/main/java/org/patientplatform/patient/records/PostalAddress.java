package org.patientplatform.patient.records;

import org.jspecify.annotations.Nullable;

/**
 * A patient's home address as the LIS sends it (HL7 XAD).
 *
 * @param street street or mailing address
 * @param otherDesignation apartment, suite, floor
 * @param city the city
 * @param state state or province
 * @param postalCode zip or postal code
 * @param country country code
 */
public record PostalAddress(@Nullable String street, @Nullable String otherDesignation, @Nullable String city,
		@Nullable String state, @Nullable String postalCode, @Nullable String country) {

	/** True when the LIS sent no part of the address. */
	public boolean carriesNothing() {
		return this.street == null && this.otherDesignation == null && this.city == null && this.state == null
				&& this.postalCode == null && this.country == null;
	}

}
