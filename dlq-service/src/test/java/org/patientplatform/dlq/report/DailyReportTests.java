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
		for (String formula : new String[] { "+SUM(1,2)", "-2+3", "@SUM(A1)" }) {
			assertThat(DailyReport.escape(formula)).as(formula).contains("'" + formula.charAt(0));
		}
	}

	@Test
	void neutralisesAFormulaBehindALeadingTabOrCarriageReturn() {
		// OWASP's CSV injection list: a cell starting with a tab or a carriage return is read as a formula too
		// (a service or error class header from any producer can start so); before, they were written as they came
		assertThat(DailyReport.escape("\t=1+1")).isEqualTo("'\t=1+1");
		assertThat(DailyReport.escape("\r=1+1")).isEqualTo("\"'\r=1+1\"");
	}


	@Test
	void writesASmallSuccessRateInPlainDecimals() {
		DailyReport report = new DailyReport(java.time.LocalDate.parse("2026-12-06"),
				java.time.Instant.parse("2026-12-07T00:00:00Z"), 0, 0, java.util.List.of(), java.util.List.of(),
				java.util.List.of(), new DailyReport.Redrives(1546, 1546, 1, 1544, 1, 0, 1.0 / 1546), 0, 0, 0, 0, null,
				0);
		// before: 6.46830530401035E-4, which a spreadsheet may take for text
		assertThat(report.toCsv()).containsPattern("redrives,successRate,0\\.000646830530401\\d*\r\n")
			.doesNotContain("E-");
		// no unresolved entry: an empty cell, not "null"
		assertThat(report.toCsv()).contains("totals,oldestUnresolvedFirstFailedAt,\r\n");
	}

	@Test
	void writesEveryTotalTheJsonHasIntoTheCsv() {
		DailyReport report = new DailyReport(java.time.LocalDate.parse("2026-12-06"),
				java.time.Instant.parse("2026-12-07T00:00:00Z"), 0, 0, java.util.List.of(), java.util.List.of(),
				java.util.List.of(), new DailyReport.Redrives(0, 0, 0, 0, 0, 0, null), 0, 0, 0, 3,
				java.time.Instant.parse("2026-12-01T08:00:00Z"), 489600);
		assertThat(report.toCsv()).contains("totals,oldestUnresolvedFirstFailedAt,2026-12-01T08:00:00Z\r\n")
			.contains("totals,oldestUnresolvedAgeSeconds,489600\r\n");
	}

}
