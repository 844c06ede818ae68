package org.patientplatform.notification.contacts;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.consumption.ProcessedMessages;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.kit.events.IncomingEvent;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies patient events and preference changes to contacts, each in one transaction with
 * the record of the event id: a redelivered event changes nothing, and an event older
 * than what a contact already holds is ignored. An unusable phone, email, language or
 * timezone is stored as none (with the reason for phone and email); it never fails the
 * event.
 */
@Service
class ContactProjection {

	private final Contacts contacts;

	private final ProcessedMessages processed;

	private final ContactsProperties properties;

	private final PhoneNumberNormalizer phones;

	private final Notifications notifications;

	private final AuditLog audit;

	ContactProjection(Contacts contacts, ProcessedMessages processed, ContactsProperties properties,
			Notifications notifications, AuditLog audit) {
		this.audit = audit;
		this.notifications = notifications;
		this.contacts = contacts;
		this.processed = processed;
		this.properties = properties;
		this.phones = new PhoneNumberNormalizer(properties.defaultRegion());
	}

	/**
	 * Applies a PatientRegistered or PatientUpdated event.
	 * @param fallbackTime the record's timestamp, for an event without {@code ce_time}
	 * @return false when the event was applied before
	 */
	@Transactional
	boolean applyDetails(IncomingEvent<? extends PatientDetails> event, Instant fallbackTime) {
		if (!this.processed.markProcessed(this.properties.consumerGroup(), event)) {
			return false;
		}
		PatientDetails details = event.data();
		Instant at = eventTime(event, fallbackTime);
		// before the details are recorded: a notice parked meanwhile for want of them is then seen below
		this.contacts.lockDetails(List.of(details.patientId()));
		Contact current = this.contacts.lockOrCreate(details.patientId(), this.properties.defaultChannels());
		Contact next = current.withDetails(normalize(details), at)
			.withLocale(language(details.language()), timezone(details.timezone()), at);
		saveIfChanged(current, next);
		if (next.isKnown()) {
			// notices that arrived before the patient's details now get their deliveries
			this.notifications.releaseWaitingForContact(next.patientId(), next.deliveryTargets(), Instant.now());
		}
		return true;
	}

	/**
	 * Applies a ContactPreferencesChanged event.
	 * @return false when the event was applied before
	 */
	@Transactional
	boolean applyPreferences(IncomingEvent<ContactPreferencesChanged> event, Instant fallbackTime) {
		if (!this.processed.markProcessed(this.properties.consumerGroup(), event)) {
			return false;
		}
		ContactPreferencesChanged change = event.data();
		Instant at = eventTime(event, fallbackTime);
		Contact current = this.contacts.lockOrCreate(change.patientId(), this.properties.defaultChannels());
		Contact next = current.withPreferences(change.channels(), change.quietHours(), change.pushTokens(), at)
			.withLocale(language(change.language()), timezone(change.timezone()), at);
		saveIfChanged(current, next);
		return true;
	}

	/**
	 * Applies a PatientMerged event: the survivor's contact takes what the merged patient chose
	 * ({@link Contact#absorbing}) and their devices, and the notices waiting for the merged patient's contact now
	 * wait for, or are released by, the survivor's. The merged patient's contact keeps its details, unused: every
	 * later notice carries the survivor's id.
	 * @return false when the event was applied before
	 */
	@Transactional
	boolean applyMerge(IncomingEvent<PatientMerged> event, Instant fallbackTime) {
		if (!this.processed.markProcessed(this.properties.consumerGroup(), event)) {
			return false;
		}
		PatientMerged merge = event.data();
		String survivorId = merge.patientId();
		String mergedId = merge.mergedPatientId();
		if (survivorId.equals(mergedId)) {
			return true;
		}
		Instant at = eventTime(event, fallbackTime);
		// as a notice parked for want of either contact takes them: one moved now is released below, not stranded
		this.contacts.lockDetails(List.of(survivorId, mergedId));
		// both, the merged one to keep where it leads (a patient signed in with its id reads the survivor's data)
		this.contacts.createIfMissing(survivorId, this.properties.defaultChannels());
		this.contacts.createIfMissing(mergedId, this.properties.defaultChannels());
		Map<String, Contact> locked = this.contacts.lockAll(List.of(survivorId, mergedId));
		Contact survivor = Objects.requireNonNull(locked.get(survivorId));
		Contact merged = Objects.requireNonNull(locked.get(mergedId));
		Contact next = survivor.absorbing(merged, this.properties.maxPushDevices());
		// a device gets one patient's messages: the merged record's went to the survivor
		saveIfChanged(merged, merged.withoutPushDevices(after(at, merged.pushTokensAt())));
		saveIfChanged(survivor, next);
		this.contacts.markMerged(mergedId, survivorId);
		Instant now = Instant.now();
		int moved = this.notifications.moveWaitingForContact(mergedId, survivorId, now);
		if (next.isKnown()) {
			this.notifications.releaseWaitingForContact(survivorId, next.deliveryTargets(), now);
		}
		this.audit.record("contact.merge", "patient", survivorId, "allowed", "patient " + mergedId
				+ " merged into it" + (!next.equals(survivor) ? "; its choices carried over" : "")
				+ ((moved > 0) ? "; " + moved + " notice(s) waiting for its contact moved" : ""));
		return true;
	}

	/**
	 * Applies preferences set through the API (the patient themself or staff) now. Device
	 * tokens are kept.
	 * @return the contact, or empty when this service has no contact for the patient
	 */
	@Transactional
	Optional<Contact> changePreferences(String patientId, PreferencesUpdate update, Instant now) {
		return this.contacts.lock(patientId).map((current) -> {
			// the API's change is the newest word, even over a change stamped later than now (a clock ahead)
			Instant at = after(after(now, current.preferencesAt()), current.localeAt());
			Contact next = current.withPreferences(update.channels(), update.quietHours(), null, at)
				.withLocale(language(update.language()), timezone(update.timezone()), at);
			saveIfChanged(current, next);
			return next;
		});
	}

	/**
	 * Registers a device for push as the patient's newest (the API: the patient's app, or
	 * staff), taking it from any other patient who had it. Beyond
	 * {@code max-push-devices} the oldest device is dropped.
	 * @return the contact, or empty when this service has no contact for the patient
	 */
	@Transactional
	Optional<Contact> registerPushDevice(String patientId, String token, Instant now) {
		if (this.contacts.find(patientId).isEmpty()) {
			return Optional.empty();
		}
		List<String> others = this.contacts.takePushTokenFromOthers(token, patientId, now);
		others.forEach((other) -> this.audit.record("push-device.remove", "patient", other, "allowed",
				"the device was registered by another patient"));
		return this.contacts.lock(patientId).map((current) -> {
			Contact next = current.withPushDevice(token, this.properties.maxPushDevices(),
					after(now, current.pushTokensAt()));
			saveIfChanged(current, next);
			return next;
		});
	}

	/**
	 * Unregisters a device (the patient signed out of the app on it); nothing changes when
	 * the patient did not have it.
	 * @return the contact, or empty when this service has no contact for the patient
	 */
	@Transactional
	Optional<Contact> removePushDevice(String patientId, String token, Instant now) {
		return this.contacts.lock(patientId).map((current) -> {
			Contact next = current.withoutPushDevice(token, after(now, current.pushTokensAt()));
			saveIfChanged(current, next);
			return next;
		});
	}

	/**
	 * When the event's change was made, no later than now: an event stamped in the future (its producer's
	 * clock ahead) would otherwise win over every change made until then, the patient's own included.
	 * PostgreSQL keeps microseconds: compare what is stored with what was stored.
	 */
	private static Instant eventTime(IncomingEvent<?> event, Instant fallbackTime) {
		Instant time = (event.time() != null) ? event.time() : fallbackTime;
		Instant now = Instant.now();
		return (time.isAfter(now) ? now : time).truncatedTo(ChronoUnit.MICROS);
	}

	/** {@code time}, or just after {@code stored} when that is not earlier. */
	private static Instant after(Instant time, @Nullable Instant stored) {
		return (stored != null && !time.isAfter(stored)) ? stored.plus(1, ChronoUnit.MICROS) : time;
	}

	private void saveIfChanged(Contact current, Contact next) {
		if (!next.equals(current)) {
			this.contacts.save(next);
		}
	}

	private Contact.NormalizedDetails normalize(PatientDetails details) {
		PhoneNumberNormalizer.Result phone = this.phones.normalize(details.phone());
		EmailAddresses.Checked email = EmailAddresses.check(details.email());
		return new Contact.NormalizedDetails(details.givenName(), phone.e164(), phone.problem(), email.address(),
				email.problem());
	}

	/** A well-formed BCP 47 language tag, normalised, or null. */
	static @Nullable String language(@Nullable String tag) {
		if (tag == null || tag.isBlank()) {
			return null;
		}
		try {
			Locale locale = new Locale.Builder().setLanguageTag(tag.strip()).build();
			return locale.getLanguage().isEmpty() ? null : locale.toLanguageTag();
		}
		catch (IllformedLocaleException ex) {
			return null;
		}
	}

	/**
	 * A known IANA timezone id (a region of the tz database, e.g. America/Chicago, or UTC), or null. Offsets
	 * ("Z", "+02:00") and the JDK's SystemV ids are not IANA ids: a fixed offset would keep a patient's quiet
	 * hours an hour off for half the year.
	 */
	static @Nullable String timezone(@Nullable String id) {
		if (id == null || id.isBlank()) {
			return null;
		}
		String stripped = id.strip();
		if (!ZoneId.getAvailableZoneIds().contains(stripped) || stripped.startsWith("SystemV/")) {
			return null;
		}
		try {
			return ZoneId.of(stripped).getId();
		}
		catch (DateTimeException ex) {
			return null;
		}
	}

}
