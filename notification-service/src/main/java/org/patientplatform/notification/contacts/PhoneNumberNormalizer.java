package org.patientplatform.notification.contacts;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import org.jspecify.annotations.Nullable;

/**
 * Validates phone numbers with libphonenumber and writes them in E.164. A number without
 * a country code is read in the default region. An unusable number gives a reason
 * instead, which never names the number (reasons are shown and may be logged).
 */
final class PhoneNumberNormalizer {

	private final PhoneNumberUtil phoneNumbers = PhoneNumberUtil.getInstance();

	private final String defaultRegion;

	PhoneNumberNormalizer(String defaultRegion) {
		if (!this.phoneNumbers.getSupportedRegions().contains(defaultRegion)) {
			throw new IllegalArgumentException("Unknown phone region " + defaultRegion);
		}
		this.defaultRegion = defaultRegion;
	}

	Result normalize(@Nullable String raw) {
		if (raw == null || raw.isBlank()) {
			return new Result(null, null);
		}
		PhoneNumber number;
		try {
			number = this.phoneNumbers.parse(raw, this.defaultRegion);
		}
		catch (NumberParseException ex) {
			return new Result(null, "The phone number cannot be read as a phone number (" + ex.getErrorType() + ")");
		}
		if (!this.phoneNumbers.isValidNumber(number)) {
			return new Result(null, "The phone number is not a valid number");
		}
		return new Result(this.phoneNumbers.format(number, PhoneNumberFormat.E164), null);
	}

	/**
	 * @param e164 the number in E.164, or null
	 * @param problem why there is none though a number was given
	 */
	record Result(@Nullable String e164, @Nullable String problem) {
	}

}
