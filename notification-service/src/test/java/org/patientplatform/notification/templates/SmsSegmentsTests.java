package org.patientplatform.notification.templates;

import org.junit.jupiter.api.Test;
import org.patientplatform.notification.templates.SmsSegments.Encoding;

import static org.assertj.core.api.Assertions.assertThat;

class SmsSegmentsTests {

	@Test
	void sendsGsm7In160SeptetsOrPartsOf153() {
		assertThat(SmsSegments.of("a".repeat(160))).isEqualTo(new SmsSegments(Encoding.GSM_7, 160, 1));
		assertThat(SmsSegments.of("a".repeat(161))).isEqualTo(new SmsSegments(Encoding.GSM_7, 161, 2));
		assertThat(SmsSegments.of("a".repeat(306)).segments()).isEqualTo(2);
		assertThat(SmsSegments.of("a".repeat(307)).segments()).isEqualTo(3);
	}

	@Test
	void countsExtensionCharactersAsTwoSeptetsNeverSplit() {
		assertThat(SmsSegments.of("€".repeat(80))).isEqualTo(new SmsSegments(Encoding.GSM_7, 160, 1));
		assertThat(SmsSegments.of("{}[]~|^\\").units()).isEqualTo(16);
		assertThat(SmsSegments.of("a".repeat(159) + "€")).isEqualTo(new SmsSegments(Encoding.GSM_7, 161, 2));
		// 306 septets would fit two parts, but the escape pair cannot straddle the first boundary
		assertThat(SmsSegments.of("a".repeat(152) + "€" + "a".repeat(152)).segments()).isEqualTo(3);
	}

	@Test
	void sendsAnyOtherCharacterAsUcs2In70UnitsOrPartsOf67() {
		assertThat(SmsSegments.of("á".repeat(70))).isEqualTo(new SmsSegments(Encoding.UCS_2, 70, 1));
		assertThat(SmsSegments.of("á".repeat(71))).isEqualTo(new SmsSegments(Encoding.UCS_2, 71, 2));
		assertThat(SmsSegments.of("a".repeat(159) + "ó")).isEqualTo(new SmsSegments(Encoding.UCS_2, 160, 3));
		assertThat(SmsSegments.of("😀".repeat(35))).isEqualTo(new SmsSegments(Encoding.UCS_2, 70, 1));
		// a surrogate pair cannot straddle a boundary either
		assertThat(SmsSegments.of("a".repeat(66) + "😀" + "a".repeat(66)).segments()).isEqualTo(3);
	}

	@Test
	void knowsTheGsm7Alphabet() {
		assertThat(SmsSegments.isGsm7("Hola, ¿qué tal? Ñandú")).isFalse(); // ú is not GSM-7
		assertThat(SmsSegments.isGsm7("Hola, ¿qué tal? Ñandu")).isTrue();
		assertThat(SmsSegments.isGsm7("Reply STOP to opt out. @£$¥ €")).isTrue();
		assertThat(SmsSegments.of("")).isEqualTo(new SmsSegments(Encoding.GSM_7, 0, 1));
	}

}
