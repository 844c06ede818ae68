package org.patientplatform.standins;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SegmentCountTests {

	@Test
	void countsGsm7AndUcs2Segments() {
		assertThat(SegmentCount.of("a".repeat(160))).isEqualTo(1);
		assertThat(SegmentCount.of("a".repeat(161))).isEqualTo(2);
		assertThat(SegmentCount.of("€".repeat(80))).isEqualTo(1);
		assertThat(SegmentCount.of("€".repeat(81))).isEqualTo(2);
		assertThat(SegmentCount.of("á".repeat(70))).isEqualTo(1);
		assertThat(SegmentCount.of("á".repeat(71))).isEqualTo(2);
	}

}
