package org.patientplatform.notification.contacts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PhoneNumberNormalizerTests {

	PhoneNumberNormalizer normalizer = new PhoneNumberNormalizer("US");

	@ParameterizedTest
	@ValueSource(strings = { "(415) 555-0132", "415-555-0132", "415.555.0132", "+1 415 555 0132", "1 (415) 555 0132",
			"+14155550132" })
	void writesUsNumbersInE164(String raw) {
		PhoneNumberNormalizer.Result result = this.normalizer.normalize(raw);
		assertThat(result.e164()).isEqualTo("+14155550132");
		assertThat(result.problem()).isNull();
	}

	@Test
	void keepsTheCountryOfAnInternationalNumber() {
		assertThat(this.normalizer.normalize("+34 912 34 56 78").e164()).isEqualTo("+34912345678");
		assertThat(this.normalizer.normalize("+44 20 7946 0958").e164()).isEqualTo("+442079460958");
	}

	@Test
	void readsNumbersWithoutCountryCodeInTheConfiguredRegion() {
		assertThat(new PhoneNumberNormalizer("ES").normalize("912 34 56 78").e164()).isEqualTo("+34912345678");
	}

	@Test
	void givesAReasonForTextThatIsNoPhoneNumber() {
		PhoneNumberNormalizer.Result result = this.normalizer.normalize("call me maybe");
		assertThat(result.e164()).isNull();
		assertThat(result.problem()).contains("cannot be read").contains("NOT_A_NUMBER");
	}

	@ParameterizedTest
	@ValueSource(strings = { "12", "555-0132", "+1 123 456 7890", "+1 415 555 01329999" })
	void givesAReasonWithoutTheNumberForAnInvalidNumber(String raw) {
		PhoneNumberNormalizer.Result result = this.normalizer.normalize(raw);
		assertThat(result.e164()).isNull();
		assertThat(result.problem()).isNotBlank().doesNotContain(raw).doesNotContain("0132");
	}

	@Test
	void takesNoNumberAsNoProblem() {
		assertThat(this.normalizer.normalize(null)).isEqualTo(new PhoneNumberNormalizer.Result(null, null));
		assertThat(this.normalizer.normalize("  ")).isEqualTo(new PhoneNumberNormalizer.Result(null, null));
	}

	@Test
	void rejectsAnUnknownDefaultRegion() {
		assertThatIllegalArgumentException().isThrownBy(() -> new PhoneNumberNormalizer("XX"));
	}

}
