package org.patientplatform.notification.sending;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;
import org.patientplatform.notification.contacts.QuietHours;

import static org.assertj.core.api.Assertions.assertThat;

class QuietHoursWindowTests {

	static final ZoneId CHICAGO = ZoneId.of("America/Chicago");

	static final QuietHours NIGHT = new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0));

	@Test
	void holdsALateEveningMessageUntilTheNextMorningInThePatientsZone() {
		// 22:30 in Chicago (CST, UTC-6)
		Instant now = Instant.parse("2026-01-15T04:30:00Z");
		assertThat(QuietHoursWindow.endIfQuiet(NIGHT, CHICAGO, now)).isEqualTo(Instant.parse("2026-01-15T14:00:00Z"));
	}

	@Test
	void holdsAnEarlyMorningMessageUntilTheWindowEndsThatMorning() {
		// 06:00 in Chicago
		Instant now = Instant.parse("2026-01-15T12:00:00Z");
		assertThat(QuietHoursWindow.endIfQuiet(NIGHT, CHICAGO, now)).isEqualTo(Instant.parse("2026-01-15T14:00:00Z"));
	}

	@Test
	void letsADaytimeMessageGo() {
		// 12:00 in Chicago
		assertThat(QuietHoursWindow.endIfQuiet(NIGHT, CHICAGO, Instant.parse("2026-01-15T18:00:00Z"))).isNull();
		// exactly at the end of the window
		assertThat(QuietHoursWindow.endIfQuiet(NIGHT, CHICAGO, Instant.parse("2026-01-15T14:00:00Z"))).isNull();
	}

	@Test
	void handlesAWindowWithinOneDay() {
		QuietHours lunch = new QuietHours(LocalTime.of(12, 0), LocalTime.of(13, 30));
		assertThat(QuietHoursWindow.endIfQuiet(lunch, ZoneId.of("UTC"), Instant.parse("2026-01-15T12:15:00Z")))
			.isEqualTo(Instant.parse("2026-01-15T13:30:00Z"));
		assertThat(QuietHoursWindow.endIfQuiet(lunch, ZoneId.of("UTC"), Instant.parse("2026-01-15T11:59:00Z")))
			.isNull();
	}

	@Test
	void treatsEqualStartAndEndAsNoQuietHours() {
		QuietHours none = new QuietHours(LocalTime.of(8, 0), LocalTime.of(8, 0));
		assertThat(QuietHoursWindow.endIfQuiet(none, CHICAGO, Instant.parse("2026-01-15T14:00:00Z"))).isNull();
	}

	@Test
	void endsAWindowEndingInTheRepeatedHourTheFirstTimeThatTimeComes() {
		// Chicago's clocks go back from 02:00 CDT to 01:00 CST on 1 November 2026; quiet hours 21:00 to 01:30
		QuietHours untilHalfPastOne = new QuietHours(LocalTime.of(21, 0), LocalTime.of(1, 30));
		// 01:10 CDT: quiet until 01:30 CDT
		assertThat(QuietHoursWindow.endIfQuiet(untilHalfPastOne, CHICAGO, Instant.parse("2026-11-01T06:10:00Z")))
			.isEqualTo(Instant.parse("2026-11-01T06:30:00Z"));
		// 01:10 CST, after the window ended at 01:30 CDT: not quiet (before: held again, until an end that had
		// already passed, and weighed again at once)
		assertThat(QuietHoursWindow.endIfQuiet(untilHalfPastOne, CHICAGO, Instant.parse("2026-11-01T07:10:00Z")))
			.isNull();
	}

	@Test
	void endsTheWindowAtTheLocalTimeAcrossADaylightSavingChange() {
		// 23:00 CST on 7 March 2026; DST starts at 02:00 on 8 March, so 08:00 is CDT (UTC-5)
		Instant now = Instant.parse("2026-03-08T05:00:00Z");
		assertThat(QuietHoursWindow.endIfQuiet(NIGHT, CHICAGO, now)).isEqualTo(Instant.parse("2026-03-08T13:00:00Z"));
	}

}
