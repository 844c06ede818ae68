package org.patientplatform.notification.requests;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.events.IncomingEvent;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.ContactDirectory;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.NotificationId;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.notification.delivery.SchedulingHorizon;
import org.patientplatform.notification.delivery.SourceEvents;
import org.patientplatform.notification.sending.NotificationMetrics;
import org.patientplatform.notification.templates.MessageTemplates;
import org.patientplatform.notification.templates.MissingParametersException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creates requested notifications and cancels them by idempotency key. A request for a
 * patient whose contact has not arrived waits for it, like a result notice; the same
 * idempotency key (or the same event) never makes a second notification.
 */
@Service
class NotificationRequests {

	private static final Logger log = LoggerFactory.getLogger(NotificationRequests.class);

	/** Types only this service makes, never on request. */
	static final Set<String> SERVICE_OWN_TYPES = Set.of("sms-opt-out-confirmation", "sms-opt-in-confirmation",
			"results-digest");

	static final String WAITING_FOR_CONTACT = "Waiting for the patient's contact details (no PatientRegistered yet)";

	private final ContactDirectory contacts;

	private final Notifications notifications;

	private final MessageTemplates templates;

	private final NotificationMetrics metrics;

	private final Clock clock;

	private final SchedulingHorizon horizon;

	private final JdbcClient jdbc;

	NotificationRequests(ContactDirectory contacts, Notifications notifications, MessageTemplates templates,
			NotificationMetrics metrics, ObjectProvider<Clock> clock, JdbcClient jdbc, SchedulingHorizon horizon) {
		this.jdbc = jdbc;
		this.horizon = horizon;
		this.contacts = contacts;
		this.notifications = notifications;
		this.templates = templates;
		this.metrics = metrics;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
	}

	/**
	 * @throws UnknownNotificationTypeException when no channel has a template of the type
	 */
	void requireKnownType(String type) {
		if (SERVICE_OWN_TYPES.contains(type)) {
			// the service's own answers (a STOP's confirmation, a digest): another service asking for one would
			// tell a patient they opted out, or sum results, when nothing of the kind happened
			throw new UnknownNotificationTypeException(type, "is this service's own answer; it is not sent on request");
		}
		for (Channel channel : Channel.values()) {
			if (this.templates.exists(type, channel)) {
				return;
			}
		}
		throw new UnknownNotificationTypeException(type);
	}

	/**
	 * Whether a request can be taken as it is: its type can be rendered with its parameters, and it is not held past
	 * the scheduling horizon.
	 * @throws UnknownNotificationTypeException when no channel has a template of the type
	 * @throws MissingParametersException when its templates show parameters the request does not give
	 * @throws NotBeforeTooFarException when it asks to be held past the scheduling horizon
	 */
	void requireAcceptable(NotificationRequested request) {
		requireKnownType(request.type());
		this.templates.requireParameters(request.type(), request.parameters());
		String tooFar = this.horizon.refusal(request.notBefore());
		if (tooFar != null) {
			throw new NotBeforeTooFarException(tooFar);
		}
	}

	/**
	 * Applies a poll's requests and cancellations in one transaction, in their order: a
	 * cancellation sees the requests before it.
	 * @return how many notifications were created
	 */
	@Transactional
	int apply(List<IncomingEvent<?>> events) {
		int created = 0;
		List<IncomingEvent<NotificationRequested>> pending = new ArrayList<>();
		for (IncomingEvent<?> event : events) {
			if (event.data() instanceof NotificationCancelled cancelled) {
				created += store(pending);
				pending.clear();
				if (cancel(cancelled).isEmpty()) {
					// its request may come later (redriven, or made through the API): it is created cancelled
					remember(cancelled);
					log.info("Cancellation event {} names no notification yet; a request with its key that comes later "
							+ "is created cancelled", event.id());
				}
			}
			else if (event.data() instanceof NotificationRequested) {
				@SuppressWarnings("unchecked")
				IncomingEvent<NotificationRequested> requested = (IncomingEvent<NotificationRequested>) event;
				pending.add(requested);
			}
		}
		return created + store(pending);
	}

	/**
	 * Creates a requested notification (the send API).
	 * @return the notification, and whether this request created it (false: its
	 * idempotency key was used before, and this is the one made then)
	 */
	@Transactional
	Created create(NotificationRequested request) {
		requireAcceptable(request);
		Notification notification = notification(request, null,
				this.contacts.findAllForNotices(List.of(request.patientId())).get(request.patientId()), now());
		if (this.notifications.storeNew(List.of(notification)) == 1) {
			Optional<Notification> cancelled = cancelRemembered(List.of(request.idempotencyKey())).stream().findFirst();
			return new Created(cancelled.orElse(notification), true);
		}
		NotificationId existing = this.notifications.findIdByIdempotencyKey(request.idempotencyKey())
			.orElseThrow(() -> new IllegalStateException("A notification was skipped but none has its key"));
		Notification made = this.notifications.findById(existing).orElseThrow();
		if (!isTheSameRequester(made, request, notification.patientId())) {
			throw new IdempotencyKeyTakenException();
		}
		return new Created(made, false);
	}

	/**
	 * @throws IdempotencyKeyTakenException when a notification of another patient or type holds the request's
	 * key (the same request again, a redelivery, is fine: it makes nothing)
	 */
	void requireKeyFree(NotificationRequested request) {
		this.notifications.findIdByIdempotencyKey(request.idempotencyKey())
			.flatMap(this.notifications::findById)
			.filter((made) -> !isTheSameRequester(made, request, addressee(request)))
			.ifPresent((made) -> {
				throw new IdempotencyKeyTakenException();
			});
	}

	/**
	 * True when the notification made with the key is this request's: of its patient, or of the patient it went to
	 * (the survivor, when the request names a merged patient), and of its type.
	 */
	private static boolean isTheSameRequester(Notification made, NotificationRequested request, String addressee) {
		return (made.patientId().equals(request.patientId()) || made.patientId().equals(addressee))
				&& made.type().equals(request.type());
	}

	/** The patient a request's notification goes to (the survivor, when it names a merged patient). */
	private String addressee(NotificationRequested request) {
		return this.contacts.addressees(List.of(request.patientId())).get(request.patientId());
	}

	/**
	 * Cancels the deliveries of the notification with this idempotency key that are not
	 * sent yet.
	 * @return the notification as it is now, or empty when no notification has the key
	 */
	@Transactional
	Optional<Notification> cancel(NotificationCancelled cancellation) {
		Optional<NotificationId> id = this.notifications.findIdByIdempotencyKey(cancellation.idempotencyKey());
		if (id.isEmpty()) {
			return Optional.empty();
		}
		List<Notification> locked = this.notifications.lock(List.of(id.get()));
		Instant now = now();
		locked.forEach((notification) -> notification.cancel(cancellation.reasonOrDefault(), now));
		this.metrics.countTransitions(locked);
		this.notifications.saveChanges(locked, now);
		return locked.stream().findFirst();
	}

	private int store(List<IncomingEvent<NotificationRequested>> requests) {
		if (requests.isEmpty()) {
			return 0;
		}
		Map<String, Contact> known = this.contacts
			.findAllForNotices(requests.stream().map((event) -> event.data().patientId()).toList());
		Instant now = now();
		List<Notification> created = requests.stream()
			.map((event) -> notification(event.data(), SourceEvents.key(event), known.get(event.data().patientId()),
					now))
			.toList();
		int stored = this.notifications.storeNew(created);
		cancelRemembered(requests.stream().map((event) -> event.data().idempotencyKey()).toList());
		return stored;
	}

	private void remember(NotificationCancelled cancellation) {
		this.jdbc.sql("INSERT INTO cancelled_request (idempotency_key, reason) VALUES (?, ?) "
				+ "ON CONFLICT (idempotency_key) DO NOTHING")
			.params(cancellation.idempotencyKey(), cancellation.reason())
			.update();
	}

	/** Cancels the notifications of these keys whose cancellation came before them; returns them. */
	private List<Notification> cancelRemembered(List<String> keys) {
		List<NotificationCancelled> remembered = this.jdbc
			.sql("DELETE FROM cancelled_request WHERE idempotency_key = ANY(?) RETURNING idempotency_key, reason")
			.param(keys.toArray(String[]::new))
			.query((rs, row) -> new NotificationCancelled(rs.getString("idempotency_key"), rs.getString("reason"), null))
			.list();
		List<Notification> cancelled = new ArrayList<>();
		for (NotificationCancelled cancellation : remembered) {
			cancel(cancellation).ifPresent(cancelled::add);
		}
		return cancelled;
	}

	/**
	 * A requested notification. It keeps no source event time: {@code notification.end_to_end} times only result
	 * notices, from their TestResultReady; a request's event time would count a reminder's wait for its
	 * {@code notBefore} (a day, for a 24-hour reminder) as latency.
	 */
	private static Notification notification(NotificationRequested request, @Nullable String eventId,
			@Nullable Contact contact, Instant now) {
		Set<Channel> channels = (request.channels() != null && !request.channels().isEmpty())
				? EnumSet.copyOf(request.channels()) : null;
		// a merged patient's request goes to the survivor (ADR 0023)
		NewNotification content = new NewNotification(request.type(),
				ContactDirectory.addressee(request.patientId(), contact),
				(request.priority() != null) ? request.priority() : Priority.NORMAL, request.idempotencyKey(), eventId,
				(request.parameters() != null) ? request.parameters() : Map.of(),
				(request.notBefore() != null) ? request.notBefore().truncatedTo(ChronoUnit.MICROS) : null, null,
				channels);
		if (contact == null || !contact.isKnown()) {
			return Notification.awaitingContact(content, WAITING_FOR_CONTACT, now);
		}
		return Notification.create(content, contact.deliveryTargets(), now);
	}

	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

	/** A notification and whether the request created it. */
	record Created(Notification notification, boolean isNew) {
	}

}
