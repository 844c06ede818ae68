package org.patientplatform.notification.contacts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class EmailAddressesTests {

	@Test
	void keepsAPlausibleAddressTrimmed() {
		assertThat(EmailAddresses.check("  ada.lovelace+lab@example.co.uk "))
			.isEqualTo(new EmailAddresses.Checked("ada.lovelace+lab@example.co.uk", null));
	}

	@ParameterizedTest
	@ValueSource(strings = { "ada", "ada@", "@example.org", "ada@example", "ada lovelace@example.org", "a@b@c.org",
			"ada@example..org" })
	void givesAReasonForAnImplausibleAddress(String raw) {
		EmailAddresses.Checked checked = EmailAddresses.check(raw);
		assertThat(checked.address()).isNull();
		assertThat(checked.problem()).isEqualTo("The email address is not a valid address");
	}

	@Test
	void takesNoAddressAsNoProblem() {
		assertThat(EmailAddresses.check(null)).isEqualTo(new EmailAddresses.Checked(null, null));
	}

}
