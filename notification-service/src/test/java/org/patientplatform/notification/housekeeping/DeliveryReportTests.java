package org.patientplatform.notification.housekeeping;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.patientplatform.notification.delivery.DeliveryState;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryReportTests {

	@Test
	void ratesTheDeliveriesThatEndedAndLeavesTheRestOut() {
		DeliveryReport.Line line = DeliveryReport.Line.of("test-result-ready", "SMS",
				Map.of(DeliveryState.DELIVERED, 6L, DeliveryState.SENT, 1L, DeliveryState.FAILED, 1L,
						DeliveryState.UNDELIVERABLE, 1L, DeliveryState.PENDING, 5L, DeliveryState.SUPPRESSED, 2L));

		assertThat(line.count()).isEqualTo(16);
		assertThat(line.deliveryRate()).isEqualTo(0.7778);
		assertThat(line.states()).containsKeys(DeliveryState.values()).containsEntry(DeliveryState.READ, 0L);
		assertThat(DeliveryReport.Line.of("t", "EMAIL", Map.of(DeliveryState.PENDING, 3L)).deliveryRate()).isNull();
	}

	@Test
	void quotesCsvFieldsThatNeedIt() {
		DeliveryReport report = new DeliveryReport(LocalDate.of(2026, 3, 1), Instant.parse("2026-03-02T00:10:00Z"), 1,
				List.of(DeliveryReport.Line.of("odd,\"type\"", "SMS", Map.of(DeliveryState.SENT, 1L))),
				DeliveryReport.Line.of("*", "*", Map.of(DeliveryState.SENT, 1L)));

		assertThat(report.toCsv().lines().toList()).element(1)
			.isEqualTo("\"odd,\"\"type\"\"\",SMS,1,0,0,0,1,0,0,0,0,0,0,1.0");
	}

	@Test
	void answersCsvWhenAskedByFormatOrByAccept() {
		assertThat(DeliveryReportEndpoint.wantsCsv("csv", null)).isTrue();
		assertThat(DeliveryReportEndpoint.wantsCsv("json", "text/csv")).isFalse();
		assertThat(DeliveryReportEndpoint.wantsCsv(null, "text/csv")).isTrue();
		assertThat(DeliveryReportEndpoint.wantsCsv(null, "text/csv, */*")).isTrue();
		assertThat(DeliveryReportEndpoint.wantsCsv(null, "application/json, text/csv;q=0.5")).isFalse();
		assertThat(DeliveryReportEndpoint.wantsCsv(null, "*/*")).isFalse();
		assertThat(DeliveryReportEndpoint.wantsCsv(null, null)).isFalse();
	}

}
