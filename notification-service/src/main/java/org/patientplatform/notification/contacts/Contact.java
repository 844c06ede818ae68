package org.patientplatform.notification.contacts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.ChannelTarget;

/**
 * What this service knows of how to reach one patient. Each part keeps the time of the
 * event that last set it, and a change older than that is ignored, so a late or redriven
 * event never overwrites a newer one: details (name, phone, email) from
 * PatientRegistered/PatientUpdated, preferences from ContactPreferencesChanged or the
 * API, and the locale (language, timezone) from whichever is newest.
 *
 * @param phone the phone in E.164, or null
 * @param phoneProblem why the phone received could not be used (it is then null)
 * @param emailProblem why the email received could not be used (it is then null)
 * @param detailsAt when the details last changed; null until the patient's record arrives
 * @param preferencesAt when the channels and quiet hours last changed
 * @param pushTokensAt when the device tokens last changed: a device registered through the API stamps only this, so
 *     a channel change made before it (an opt-out) and arriving after it still applies
 */
public record Contact(String patientId, @Nullable String givenName, @Nullable String phone,
		@Nullable String phoneProblem, @Nullable String email, @Nullable String emailProblem, @Nullable String language,
		@Nullable String timezone, ChannelPreferences channels, @Nullable QuietHours quietHours,
		List<String> pushTokens, @Nullable Instant detailsAt, @Nullable Instant preferencesAt,
		@Nullable Instant localeAt, @Nullable Instant pushTokensAt) {

	/** Why an opted-in SMS cannot go to a patient without a phone number. */
	public static final String NO_PHONE = "The patient has no phone number";

	/** Why an opted-in email cannot go to a patient without an email address. */
	public static final String NO_EMAIL = "The patient has no email address";

	/** Why a push message cannot go to a patient without a registered device. */
	public static final String NO_PUSH_DEVICE = "The patient has no device registered for push messages";

	public Contact {
		pushTokens = List.copyOf(pushTokens);
	}

	/** A contact whose device tokens changed with its preferences. */
	public Contact(String patientId, @Nullable String givenName, @Nullable String phone, @Nullable String phoneProblem,
			@Nullable String email, @Nullable String emailProblem, @Nullable String language, @Nullable String timezone,
			ChannelPreferences channels, @Nullable QuietHours quietHours, List<String> pushTokens,
			@Nullable Instant detailsAt, @Nullable Instant preferencesAt, @Nullable Instant localeAt) {
		this(patientId, givenName, phone, phoneProblem, email, emailProblem, language, timezone, channels, quietHours,
				pushTokens, detailsAt, preferencesAt, localeAt, preferencesAt);
	}

	/** A patient of whom nothing is known yet but the default channel preferences. */
	static Contact unknown(String patientId, ChannelPreferences defaults) {
		return new Contact(patientId, null, null, null, null, null, null, null, defaults, null, List.of(), null, null,
				null);
	}

	/** True once the patient's record (name, phone, email) has arrived. */
	public boolean isKnown() {
		return this.detailsAt != null;
	}

	/**
	 * The channels to deliver on: each opted-in channel with an address, and each opted-in
	 * SMS or email channel without a usable one, with the reason (its address was unusable, or
	 * there is none), so the notice shows why nothing went on it. Push counts only when the
	 * patient has a device token: it is on by default, and a patient without the app has no
	 * push channel to speak of.
	 */
	public List<ChannelTarget> deliveryTargets() {
		List<ChannelTarget> targets = new ArrayList<>();
		if (this.channels.sms()) {
			addTarget(targets, Channel.SMS, this.phone, this.phoneProblem, NO_PHONE);
		}
		if (this.channels.email()) {
			addTarget(targets, Channel.EMAIL, this.email, this.emailProblem, NO_EMAIL);
		}
		if (this.channels.push() && !this.pushTokens.isEmpty()) {
			targets.add(ChannelTarget.reachable(Channel.PUSH));
		}
		return targets;
	}

	private static void addTarget(List<ChannelTarget> targets, Channel channel, @Nullable String address,
			@Nullable String problem, String none) {
		if (address != null) {
			targets.add(ChannelTarget.reachable(channel));
		}
		else if (problem != null) {
			targets.add(ChannelTarget.unreachable(channel, problem));
		}
		else {
			targets.add(ChannelTarget.unreachable(channel, none));
		}
	}

	/** The details of an event at {@code at}, unless newer ones are already applied. */
	Contact withDetails(NormalizedDetails details, Instant at) {
		if (!isNewer(this.detailsAt, at)) {
			return this;
		}
		return new Contact(this.patientId, details.givenName(), details.phone(), details.phoneProblem(),
				details.email(), details.emailProblem(), this.language, this.timezone, this.channels, this.quietHours,
				this.pushTokens, at, this.preferencesAt, this.localeAt, this.pushTokensAt);
	}

	/**
	 * The preferences of an event or request at {@code at}, unless newer ones are already
	 * applied.
	 * @param pushTokens the new device tokens, or null to keep the current ones
	 */
	Contact withPreferences(ChannelPreferences channels, @Nullable QuietHours quietHours,
			@Nullable List<String> pushTokens, Instant at) {
		boolean newerPreferences = isNewer(this.preferencesAt, at);
		// the device list has its own time: a device registered since keeps it from an older list
		boolean newerTokens = pushTokens != null && isNewer(this.pushTokensAt, at);
		if (!newerPreferences && !newerTokens) {
			return this;
		}
		return new Contact(this.patientId, this.givenName, this.phone, this.phoneProblem, this.email, this.emailProblem,
				this.language, this.timezone, newerPreferences ? channels : this.channels,
				newerPreferences ? quietHours : this.quietHours, newerTokens ? pushTokens : this.pushTokens,
				this.detailsAt, newerPreferences ? at : this.preferencesAt, this.localeAt,
				newerTokens ? at : this.pushTokensAt);
	}

	/**
	 * The device registered as the patient's newest at {@code at}: moved to the end of the
	 * tokens if it was there, and the oldest devices dropped beyond {@code maxDevices}. The
	 * tokens take the time (not the channels), so an older event's token list no longer replaces it; this
	 * contact itself when the device was the newest already.
	 */
	Contact withPushDevice(String token, int maxDevices, Instant at) {
		List<String> tokens = new ArrayList<>(this.pushTokens);
		tokens.remove(token);
		tokens.add(token);
		List<String> kept = tokens.subList(Math.max(0, tokens.size() - maxDevices), tokens.size());
		if (kept.equals(this.pushTokens)) {
			// already the newest: an app that registers on every start changes nothing, nor the preferences' time
			return this;
		}
		return new Contact(this.patientId, this.givenName, this.phone, this.phoneProblem, this.email, this.emailProblem,
				this.language, this.timezone, this.channels, this.quietHours, kept, this.detailsAt, this.preferencesAt,
				this.localeAt, at);
	}

	/**
	 * The device no longer registered, at {@code at}; this contact itself when it was not.
	 */
	Contact withoutPushDevice(String token, Instant at) {
		if (!this.pushTokens.contains(token)) {
			return this;
		}
		List<String> tokens = new ArrayList<>(this.pushTokens);
		tokens.remove(token);
		return new Contact(this.patientId, this.givenName, this.phone, this.phoneProblem, this.email, this.emailProblem,
				this.language, this.timezone, this.channels, this.quietHours, tokens, this.detailsAt, this.preferencesAt,
				this.localeAt, at);
	}

	/**
	 * The language and timezone given (null ones are kept), unless newer ones are already
	 * applied.
	 */
	Contact withLocale(@Nullable String language, @Nullable String timezone, Instant at) {
		if ((language == null && timezone == null) || !isNewer(this.localeAt, at)) {
			return this;
		}
		return new Contact(this.patientId, this.givenName, this.phone, this.phoneProblem, this.email, this.emailProblem,
				(language != null) ? language : this.language, (timezone != null) ? timezone : this.timezone,
				this.channels, this.quietHours, this.pushTokens, this.detailsAt, this.preferencesAt, at,
				this.pushTokensAt);
	}

	/**
	 * This contact, the survivor of a merge, with what the merged patient (the same person) chose: their channels
	 * and quiet hours when those are newer than this contact's (an opt-out or a STOP made on the merged record
	 * holds, unless the patient chose otherwise here since), their language and timezone where this contact has
	 * none, and their devices before this contact's own (the survivor's stay the newest), at most
	 * {@code maxDevices}. The details stay this contact's: they are the survivor's record.
	 */
	Contact absorbing(Contact merged, int maxDevices) {
		boolean theirsNewer = merged.preferencesAt != null
				&& (this.preferencesAt == null || merged.preferencesAt.isAfter(this.preferencesAt));
		List<String> tokens = new ArrayList<>(merged.pushTokens);
		tokens.removeAll(this.pushTokens);
		tokens.addAll(this.pushTokens);
		List<String> kept = List.copyOf(tokens.subList(Math.max(0, tokens.size() - maxDevices), tokens.size()));
		boolean localeFromThem = (this.language == null && merged.language != null)
				|| (this.timezone == null && merged.timezone != null);
		return new Contact(this.patientId, this.givenName, this.phone, this.phoneProblem, this.email, this.emailProblem,
				(this.language != null) ? this.language : merged.language,
				(this.timezone != null) ? this.timezone : merged.timezone, theirsNewer ? merged.channels : this.channels,
				theirsNewer ? merged.quietHours : this.quietHours, kept, this.detailsAt,
				theirsNewer ? merged.preferencesAt : this.preferencesAt,
				localeFromThem ? latest(this.localeAt, merged.localeAt) : this.localeAt,
				kept.equals(this.pushTokens) ? this.pushTokensAt : latest(this.pushTokensAt, merged.pushTokensAt));
	}

	/** This contact without any device, at {@code at}: its devices went to the patient it was merged into. */
	Contact withoutPushDevices(Instant at) {
		if (this.pushTokens.isEmpty()) {
			return this;
		}
		return new Contact(this.patientId, this.givenName, this.phone, this.phoneProblem, this.email, this.emailProblem,
				this.language, this.timezone, this.channels, this.quietHours, List.of(), this.detailsAt,
				this.preferencesAt, this.localeAt, at);
	}

	private static @Nullable Instant latest(@Nullable Instant a, @Nullable Instant b) {
		if (a == null) {
			return b;
		}
		return (b == null || a.isAfter(b)) ? a : b;
	}

	private static boolean isNewer(@Nullable Instant applied, Instant at) {
		return applied == null || !at.isBefore(applied);
	}

	/**
	 * Contact details after normalisation: each address is usable, or null with the
	 * reason.
	 */
	record NormalizedDetails(@Nullable String givenName, @Nullable String phone, @Nullable String phoneProblem,
			@Nullable String email, @Nullable String emailProblem) {
	}

}
