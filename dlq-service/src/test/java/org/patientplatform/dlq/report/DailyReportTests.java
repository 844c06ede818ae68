package org.patientplatform.dlq.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DailyReportTests {

	@Test
	void quotesCsvValuesAndNeutralisesFormulas() {
		assertThat(DailyReport.escape("plain")).isEqualTo("plain");
		assertThat(DailyReport.escape("a,b")).isEqualTo("\"a,b\"");
		assertThat(DailyReport.escape("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
		assertThat(DailyReport.escape("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
		assertThat(DailyReport.escape("-12.5")).isEqualTo("-12.5");
	}

}
