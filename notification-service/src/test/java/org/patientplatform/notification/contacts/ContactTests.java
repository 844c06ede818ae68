package org.patientplatform.notification.contacts;

import java.time.Instant;
import java.time.LocalTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ChannelTarget;

import static org.assertj.core.api.Assertions.assertThat;

class ContactTests {

	static final Instant T1 = Instant.parse("2026-03-05T14:00:00Z");

	static final Instant T2 = T1.plusSeconds(60);

	static final ChannelPreferences ALL = new ChannelPreferences(true, true, true);

	@Test
	void isUnknownUntilTheDetailsArrive() {
		Contact contact = Contact.unknown("P-1", ALL);
		assertThat(contact.isKnown()).isFalse();
		assertThat(contact.withDetails(details("+14155550132", "a@example.org"), T1).isKnown()).isTrue();
	}

	@Test
	void appliesNewerDetailsAndIgnoresOlderOnes() {
		Contact contact = Contact.unknown("P-1", ALL).withDetails(details("+14155550132", "new@example.org"), T2);
		assertThat(contact.withDetails(details("+14155550199", "old@example.org"), T1)).isSameAs(contact);
		Contact newer = contact.withDetails(details("+14155550199", "newer@example.org"), T2.plusSeconds(1));
		assertThat(newer.email()).isEqualTo("newer@example.org");
		assertThat(newer.detailsAt()).isEqualTo(T2.plusSeconds(1));
	}

	@Test
	void registersADeviceAsTheNewestAndLeavesTheTimeAloneWhenItAlreadyIs() {
		Contact contact = Contact.unknown("P-1", ALL).withPushDevice("phone", 3, T1).withPushDevice("tablet", 3, T1);
		assertThat(contact.pushTokens()).containsExactly("phone", "tablet");
		// the app registers again on every start: nothing changes, and an event of a change before T2 still applies
		assertThat(contact.withPushDevice("tablet", 3, T2)).isSameAs(contact);
		Contact moved = contact.withPushDevice("phone", 3, T2);
		assertThat(moved.pushTokens()).containsExactly("tablet", "phone");
		// the devices take the time, the channels keep theirs: a channel change made before T2 still applies
		assertThat(moved.pushTokensAt()).isEqualTo(T2);
		assertThat(moved.preferencesAt()).isNull();
		Contact optedOut = moved.withPreferences(new ChannelPreferences(false, true, true), null, List.of("old"), T1);
		assertThat(optedOut.channels().sms()).isFalse();
		assertThat(optedOut.pushTokens()).containsExactly("tablet", "phone");
		assertThat(moved.withPushDevice("watch", 2, T2).pushTokens()).containsExactly("phone", "watch");
		assertThat(moved.withoutPushDevice("laptop", T2)).isSameAs(moved);
		assertThat(moved.withoutPushDevice("tablet", T2).pushTokens()).containsExactly("phone");
	}

	@Test
	void aSurvivorTakesTheMergedPatientsNewerChoiceAndDevicesButKeepsItsDetails() {
		Contact survivor = Contact.unknown("P-S", ALL)
			.withDetails(details("+14155550132", "s@example.org"), T1)
			.withLocale("en", null, T1)
			.withPushDevice("tablet", 3, T1);
		QuietHours nights = new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0));
		Contact merged = Contact.unknown("P-M", ALL)
			.withDetails(details("+14155550199", "m@example.org"), T1)
			.withLocale("es", "America/Chicago", T1)
			.withPreferences(new ChannelPreferences(false, true, true), nights, List.of("phone", "tablet", "watch"), T2);

		Contact absorbed = survivor.absorbing(merged, 3);
		// the merged record's opt-out of SMS (made at T2) is the patient's newest word on their channels
		assertThat(absorbed.channels()).isEqualTo(new ChannelPreferences(false, true, true));
		assertThat(absorbed.quietHours()).isEqualTo(nights);
		assertThat(absorbed.preferencesAt()).isEqualTo(T2);
		// the survivor's own device stays the newest; the merged record's come before it
		assertThat(absorbed.pushTokens()).containsExactly("phone", "watch", "tablet");
		assertThat(absorbed.pushTokensAt()).isEqualTo(T2);
		// its own record's details and language stay; a timezone it had none of comes from the merged record
		assertThat(absorbed.phone()).isEqualTo("+14155550132");
		assertThat(absorbed.email()).isEqualTo("s@example.org");
		assertThat(absorbed.detailsAt()).isEqualTo(T1);
		assertThat(absorbed.language()).isEqualTo("en");
		assertThat(absorbed.timezone()).isEqualTo("America/Chicago");
		assertThat(survivor.absorbing(merged, 2).pushTokens()).containsExactly("watch", "tablet");
		assertThat(merged.withoutPushDevices(T2.plusSeconds(1)).pushTokens()).isEmpty();
	}

	@Test
	void aSurvivorKeepsItsOwnChoiceWhenItIsNewerOrTheMergedPatientMadeNone() {
		Contact survivor = Contact.unknown("P-S", ALL)
			.withPreferences(new ChannelPreferences(true, false, true), null, null, T2);
		Contact optedOutBefore = Contact.unknown("P-M", ALL)
			.withPreferences(new ChannelPreferences(false, true, true), null, null, T1);
		assertThat(survivor.absorbing(optedOutBefore, 3)).isEqualTo(survivor);
		// defaults are no choice: they never undo one
		assertThat(survivor.absorbing(Contact.unknown("P-M", new ChannelPreferences(false, false, false)), 3))
			.isEqualTo(survivor);
		Contact undecided = Contact.unknown("P-S", ALL);
		assertThat(undecided.absorbing(optedOutBefore, 3).channels().sms()).isFalse();
	}

	@Test
	void keepsPreferencesAndDetailsApartInTime() {
		Contact contact = Contact.unknown("P-1", ALL)
			.withPreferences(new ChannelPreferences(false, true, false), null, null, T2)
			.withDetails(details("+14155550132", "a@example.org"), T1);
		assertThat(contact.email()).isEqualTo("a@example.org");
		assertThat(contact.channels().sms()).isFalse();
		assertThat(contact.withPreferences(ALL, null, null, T1).channels().sms()).isFalse();
	}

	@Test
	void keepsDeviceTokensWhenAChangeNamesNone() {
		QuietHours night = new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0));
		Contact contact = Contact.unknown("P-1", ALL).withPreferences(ALL, night, List.of("token-1"), T1);
		Contact changed = contact.withPreferences(new ChannelPreferences(true, false, true), null, null, T2);
		assertThat(changed.pushTokens()).containsExactly("token-1");
		assertThat(changed.quietHours()).isNull();
		assertThat(changed.withPreferences(ALL, null, List.of(), T2).pushTokens()).isEmpty();
	}

	@Test
	void takesTheLocaleOfTheNewestEventAndKeepsWhatAChangeLeavesOut() {
		Contact contact = Contact.unknown("P-1", ALL).withLocale("es", "America/Chicago", T2);
		assertThat(contact.withLocale("en", null, T1).language()).isEqualTo("es");
		Contact newer = contact.withLocale(null, "Europe/Madrid", T2.plusSeconds(1));
		assertThat(newer.language()).isEqualTo("es");
		assertThat(newer.timezone()).isEqualTo("Europe/Madrid");
	}

	@Test
	void targetsEachOptedInChannelWithAnAddress() {
		Contact contact = Contact.unknown("P-1", ALL)
			.withDetails(details("+14155550132", "a@example.org"), T1)
			.withPreferences(ALL, null, List.of("token-1"), T1);
		assertThat(contact.deliveryTargets()).containsExactly(ChannelTarget.reachable(Channel.SMS),
				ChannelTarget.reachable(Channel.EMAIL), ChannelTarget.reachable(Channel.PUSH));
	}

	@Test
	void targetsAnOptedInChannelWithAnUnusableAddressWithTheReason() {
		Contact contact = Contact.unknown("P-1", ALL)
			.withDetails(new Contact.NormalizedDetails("Ada", null, "not a valid number", "a@example.org", null), T1);
		assertThat(contact.deliveryTargets()).containsExactly(
				ChannelTarget.unreachable(Channel.SMS, "not a valid number"), ChannelTarget.reachable(Channel.EMAIL));
	}

	@Test
	void targetsAnOptedInChannelWithoutAnAddressWithTheReasonButNotPushWithoutADevice() {
		// before, an opted-in SMS without a phone was left out: the notice showed nothing of it, nor why
		Contact contact = Contact.unknown("P-1", ALL)
			.withDetails(new Contact.NormalizedDetails("Ada", null, null, "a@example.org", null), T1);
		assertThat(contact.deliveryTargets()).containsExactly(
				ChannelTarget.unreachable(Channel.SMS, "The patient has no phone number"),
				ChannelTarget.reachable(Channel.EMAIL));
		Contact phoneOnly = Contact.unknown("P-2", ALL).withDetails(details("+14155550132", null), T1);
		assertThat(phoneOnly.deliveryTargets()).containsExactly(ChannelTarget.reachable(Channel.SMS),
				ChannelTarget.unreachable(Channel.EMAIL, "The patient has no email address"));
	}

	@Test
	void leavesOutOptedOutChannelsAndPushWithoutDevice() {
		Contact contact = Contact.unknown("P-1", new ChannelPreferences(false, true, true))
			.withDetails(details("+14155550132", "a@example.org"), T1);
		assertThat(contact.deliveryTargets()).containsExactly(ChannelTarget.reachable(Channel.EMAIL));
	}

	private static Contact.NormalizedDetails details(String phone, String email) {
		return new Contact.NormalizedDetails("Ada", phone, null, email, null);
	}

	@Test
	void takesOnlyIanaRegionsAsTimezones() {
		assertThat(ContactProjection.timezone(" America/Chicago ")).isEqualTo("America/Chicago");
		assertThat(ContactProjection.timezone("UTC")).isEqualTo("UTC");
		// offsets and the JDK's own ids are not IANA ids (before: accepted, so quiet hours ignored daylight saving)
		assertThat(ContactProjection.timezone("Z")).isNull();
		assertThat(ContactProjection.timezone("+02:00")).isNull();
		assertThat(ContactProjection.timezone("SystemV/CST6")).isNull();
		assertThat(ContactProjection.timezone("Mars/Olympus_Mons")).isNull();
	}

}
