package org.patientplatform.dlq.report;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One UTC day of the DLQ. Counts of failures are failures that happened that day (a record failing three
 * times counts three); the unresolved figures are as of the build.
 *
 * @param day the UTC day
 * @param builtAt when the report was built
 * @param newEntries entries whose first failure was that day
 * @param failures failures that day
 * @param bySourceService failures per failing service, most first
 * @param byTopic failures per original topic, most first
 * @param byErrorClass failures per exception class, most first
 * @param redrives the records sent back that day and their outcomes
 * @param resolved entries that became resolved that day, whatever became of them since (reopened by a new failure,
 * say); each once however often
 * @param permanentlyFailed entries that became permanently failed that day, whatever became of them since (redriven
 * and resolved, say); each once
 * @param discarded entries discarded that day
 * @param unresolved entries not resolved or discarded, at build time
 * @param oldestUnresolvedFirstFailedAt the first failure of the oldest of them
 * @param oldestUnresolvedAgeSeconds its age at build time
 */
record DailyReport(LocalDate day, Instant builtAt, long newEntries, long failures, List<Count> bySourceService,
		List<Count> byTopic, List<Count> byErrorClass, Redrives redrives, long resolved, long permanentlyFailed,
		long discarded, long unresolved, @Nullable Instant oldestUnresolvedFirstFailedAt,
		long oldestUnresolvedAgeSeconds) {

	record Count(String name, long failures) {
	}

	/**
	 * @param sent records sent back that day (automatic, manual, edited, bulk)
	 * @param automatic of which automatic retries
	 * @param succeeded of those sent that day, processed by the origin (it reported so, or the entry's consumer group
	 * read past the record with no failure reported: {@code CONSUMED} in the history)
	 * @param failed of those, failed again
	 * @param timedOut of those, no outcome within the timeout
	 * @param awaiting of those, no outcome yet
	 * @param successRate succeeded / (succeeded + failed + timedOut), null when none has an outcome
	 */
	record Redrives(long sent, long automatic, long succeeded, long failed, long timedOut, long awaiting,
			@Nullable Double successRate) {
	}

	/** The report as CSV: {@code section,name,value}, one line per figure. */
	String toCsv() {
		StringBuilder csv = new StringBuilder("section,name,value\r\n");
		line(csv, "day", "day", this.day);
		line(csv, "day", "builtAt", this.builtAt);
		line(csv, "totals", "newEntries", this.newEntries);
		line(csv, "totals", "failures", this.failures);
		line(csv, "totals", "resolved", this.resolved);
		line(csv, "totals", "permanentlyFailed", this.permanentlyFailed);
		line(csv, "totals", "discarded", this.discarded);
		line(csv, "totals", "unresolved", this.unresolved);
		// the JSON's every total: the first failure of the oldest was left out of the CSV
		line(csv, "totals", "oldestUnresolvedFirstFailedAt",
				(this.oldestUnresolvedFirstFailedAt != null) ? this.oldestUnresolvedFirstFailedAt : "");
		line(csv, "totals", "oldestUnresolvedAgeSeconds", this.oldestUnresolvedAgeSeconds);
		this.bySourceService.forEach((c) -> line(csv, "sourceService", c.name(), c.failures()));
		this.byTopic.forEach((c) -> line(csv, "topic", c.name(), c.failures()));
		this.byErrorClass.forEach((c) -> line(csv, "errorClass", c.name(), c.failures()));
		Map.of("sent", this.redrives.sent(), "automatic", this.redrives.automatic(), "succeeded",
				this.redrives.succeeded(), "failed", this.redrives.failed(), "timedOut", this.redrives.timedOut(),
				"awaiting", this.redrives.awaiting())
			.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.forEach((e) -> line(csv, "redrives", e.getKey(), e.getValue()));
		// plain decimal notation: Double's text writes 6.47E-4, which a spreadsheet may read as text
		line(csv, "redrives", "successRate", (this.redrives.successRate() != null)
				? BigDecimal.valueOf(this.redrives.successRate()).toPlainString() : "");
		return csv.toString();
	}

	private static void line(StringBuilder csv, String section, String name, Object value) {
		csv.append(section).append(',').append(escape(name)).append(',').append(escape(String.valueOf(value)))
			// RFC 4180's line break
			.append("\r\n");
	}

	/**
	 * RFC 4180 quoting; a leading formula character ({@code = + - @}, or a tab or carriage return, which
	 * spreadsheets also read as the start of a formula: OWASP's CSV injection list) is neutralised so a
	 * spreadsheet never runs it.
	 */
	static String escape(String value) {
		String safe = (!value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 && !value.matches("-?[0-9.]+"))
				? "'" + value : value;
		if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
			return "\"" + safe.replace("\"", "\"\"") + "\"";
		}
		return safe;
	}

}
