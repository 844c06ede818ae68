package org.patientplatform.notification.results;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.events.IncomingEvent;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.ContactDirectory;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.notification.delivery.SourceEvents;
import org.patientplatform.notification.digests.ResultDigests;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creates one result-ready notification per released result. The idempotency key is the
 * result itself (patient, order, test, release time) and the event id is unique too, so
 * neither a redelivered event nor the same result published twice makes a second
 * notification. A result of a patient merged into another goes to the survivor
 * ({@link ContactDirectory#findAllForNotices}).
 */
@Service
class TestResultNotices {

	static final String TYPE = "test-result-ready";

	static final String WAITING_FOR_CONTACT = "Waiting for the patient's contact details (no PatientRegistered yet)";

	private final ContactDirectory contacts;

	private final Notifications notifications;

	private final ResultDigests digests;

	private final Clock clock = Clock.systemUTC();

	TestResultNotices(ContactDirectory contacts, Notifications notifications, ResultDigests digests) {
		this.contacts = contacts;
		this.notifications = notifications;
		this.digests = digests;
	}

	/**
	 * Stores the notifications of a batch of events in one transaction.
	 * @return how many were new
	 */
	@Transactional
	int createNotices(List<IncomingEvent<TestResultReady>> events) {
		if (events.isEmpty()) {
			return 0;
		}
		Map<String, Contact> known = this.contacts
			.findAllForNotices(events.stream().map((event) -> event.data().patientId()).toList());
		Instant now = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
		List<Notification> created = events.stream()
			.map((event) -> notification(event, known.get(event.data().patientId()), now))
			.toList();
		// with a digest window, a patient's results released within it become one notice
		return this.digests.isOn() ? this.digests.store(created, now) : this.notifications.storeNew(created);
	}

	private static Notification notification(IncomingEvent<TestResultReady> event, @Nullable Contact contact,
			Instant now) {
		TestResultReady result = event.data();
		// a merged patient's result goes to the survivor, keyed as the survivor's: the same result published again
		// under the survivor's id (the patient service moves a merged patient's orders) is the same notice
		String patientId = ContactDirectory.addressee(result.patientId(), contact);
		// the event time starts the end-to-end latency (to the provider's acceptance)
		NewNotification content = new NewNotification(TYPE, patientId, Priority.NORMAL,
				idempotencyKey(patientId, result), SourceEvents.key(event), parameters(result), null, event.time(),
				null);
		if (contact == null || !contact.isKnown()) {
			return Notification.awaitingContact(content, WAITING_FOR_CONTACT, now);
		}
		return Notification.create(content, contact.deliveryTargets(), now);
	}

	/**
	 * The result itself, of the patient the notice goes to: the patient id as stored (a UUID in lower case, so one
	 * result named in two cases is one notice), the order, the test and the release time.
	 */
	static String idempotencyKey(String patientId, TestResultReady result) {
		return String.join(":", TYPE, patientId, result.orderId(), result.testCode(), result.releasedAt().toString());
	}

	private static Map<String, String> parameters(TestResultReady result) {
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("orderId", result.orderId());
		parameters.put("testCode", result.testCode());
		parameters.put("releasedAt", result.releasedAt().toString());
		if (result.performedAt() != null) {
			parameters.put("performedAt", result.performedAt().toString());
		}
		return parameters;
	}

}
