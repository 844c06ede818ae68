package org.patientplatform.notification.reminders;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ReminderScheduleTests {

	@Test
	void keepsACronRuleAtTheSameLocalTimeAcrossDaylightSaving() {
		ReminderSchedule nineAm = ReminderSchedule.of("0 0 9 * * *", null, "America/New_York", null);
		// New York leaves daylight saving on 2026-11-01
		Instant before = nineAm.first(Instant.parse("2026-10-31T14:00:00Z"), null);
		Instant after = nineAm.next(before);

		assertThat(before).isEqualTo(Instant.parse("2026-11-01T14:00:00Z"));
		assertThat(after).isEqualTo(Instant.parse("2026-11-02T14:00:00Z"));
		assertThat(nineAm.next(Instant.parse("2026-10-30T13:00:00Z"))).isEqualTo(Instant.parse("2026-10-31T13:00:00Z"));
	}

	@Test
	void firesALocalTimeThatOccursTwiceOnlyOnce() {
		// New York's clocks go back from 2:00 EDT to 1:00 EST on 2026-11-01: 1:30 am happens twice
		ReminderSchedule halfPastOne = ReminderSchedule.of("0 30 1 * * *", null, "America/New_York", null);
		Instant first = halfPastOne.next(Instant.parse("2026-11-01T04:00:00Z"));
		assertThat(first).isEqualTo(Instant.parse("2026-11-01T05:30:00Z"));
		// before: 1:30 EST, an hour later, a second reminder the same night
		assertThat(halfPastOne.next(first)).isEqualTo(Instant.parse("2026-11-02T06:30:00Z"));
	}

	@Test
	void firesAnHourlyRuleInBothPassesOfTheRepeatedHour() {
		// New York's clocks go back from 2:00 EDT to 1:00 EST on 2026-11-01: an hourly rule runs by the hour
		for (String hourly : new String[] { "0 0 * * * *", "@hourly" }) {
			ReminderSchedule schedule = ReminderSchedule.of(hourly, null, "America/New_York", null);
			Instant oneEdt = schedule.next(Instant.parse("2026-11-01T04:00:00Z"));
			assertThat(oneEdt).isEqualTo(Instant.parse("2026-11-01T05:00:00Z"));
			// before: 1:00 EST was skipped, two hours to 2:00 EST
			Instant oneEst = schedule.next(oneEdt);
			assertThat(oneEst).isEqualTo(Instant.parse("2026-11-01T06:00:00Z"));
			assertThat(schedule.next(oneEst)).isEqualTo(Instant.parse("2026-11-01T07:00:00Z"));
		}
		// every other hour, from midnight: 0, 2, 4 by the wall clock, so 1:00 is not among them either pass
		ReminderSchedule everyOther = ReminderSchedule.of("0 30 */2 * * *", null, "America/New_York", null);
		assertThat(everyOther.next(Instant.parse("2026-11-01T04:30:00Z")))
			.isEqualTo(Instant.parse("2026-11-01T07:30:00Z"));
		// going forward, an hourly rule has no 2:00 to make up: 1:00 EST, then 3:00 EDT
		ReminderSchedule hourly = ReminderSchedule.of("0 0 * * * *", null, "America/New_York", null);
		assertThat(hourly.next(Instant.parse("2026-03-08T06:00:00Z"))).isEqualTo(Instant.parse("2026-03-08T07:00:00Z"));
	}

	@Test
	void firesALocalTimeThatDoesNotOccurOnceTheClocksHaveGoneForward() {
		// New York's clocks go forward from 2:00 EST to 3:00 EDT on 2026-03-08: 2:30 am does not happen
		ReminderSchedule halfPastTwo = ReminderSchedule.of("0 30 2 * * *", null, "America/New_York", null);
		Instant dayBefore = Instant.parse("2026-03-07T07:30:00Z");
		Instant shifted = halfPastTwo.next(dayBefore);
		// before: skipped that day (the next reminder came on 2026-03-09); now 3:30 EDT, as java.time shifts it
		assertThat(shifted).isEqualTo(Instant.parse("2026-03-08T07:30:00Z"));
		assertThat(shifted.atZone(java.time.ZoneId.of("America/New_York")).toLocalTime())
			.isEqualTo(java.time.LocalTime.of(3, 30));
		assertThat(halfPastTwo.next(shifted)).isEqualTo(Instant.parse("2026-03-09T06:30:00Z"));
		// a time that exists is untouched that day
		ReminderSchedule nineAm = ReminderSchedule.of("0 0 9 * * *", null, "America/New_York", null);
		assertThat(nineAm.next(Instant.parse("2026-03-07T14:00:00Z"))).isEqualTo(Instant.parse("2026-03-08T13:00:00Z"));
	}

	@Test
	void startsAnIntervalRuleAtItsStartOrOneIntervalFromNow() {
		ReminderSchedule everyTwoHours = ReminderSchedule.of(null, Duration.ofHours(2), "UTC", null);
		Instant now = Instant.parse("2026-03-01T10:00:00Z");

		assertThat(everyTwoHours.first(now, null)).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
		assertThat(everyTwoHours.first(now, Instant.parse("2026-03-05T08:00:00Z")))
			.isEqualTo(Instant.parse("2026-03-05T08:00:00Z"));
		assertThat(everyTwoHours.next(Instant.parse("2026-03-05T08:00:00Z")))
			.isEqualTo(Instant.parse("2026-03-05T10:00:00Z"));
	}

	@Test
	void startsACronRuleAtItsFirstOccurrenceFromTheStart() {
		ReminderSchedule mondays = ReminderSchedule.of("0 0 9 * * MON", null, "UTC", null);

		assertThat(mondays.first(Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-16T09:00:00Z")))
			.isEqualTo(Instant.parse("2026-03-16T09:00:00Z"));
	}

	@Test
	void endsAfterItsEnd() {
		ReminderSchedule daily = ReminderSchedule.of(null, Duration.ofDays(1), "UTC", Instant.parse("2026-03-02T23:00:00Z"));

		assertThat(daily.next(Instant.parse("2026-03-01T09:00:00Z"))).isEqualTo(Instant.parse("2026-03-02T09:00:00Z"));
		assertThat(daily.next(Instant.parse("2026-03-02T09:00:00Z"))).isNull();
	}

	@Test
	void measuresTheShortestGapOfACronRule() {
		ReminderSchedule weekdayMornings = ReminderSchedule.of("0 0 8,9 * * MON-FRI", null, "UTC", null);

		assertThat(weekdayMornings.shortestGap(Instant.parse("2026-03-01T00:00:00Z"), 6)).isEqualTo(Duration.ofHours(1));
	}

	@Test
	void needsEitherACronExpressionOrAnInterval() {
		assertThatIllegalArgumentException().isThrownBy(() -> ReminderSchedule.of(null, null, "UTC", null));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ReminderSchedule.of("0 0 9 * * *", Duration.ofDays(1), "UTC", null));
	}

}
