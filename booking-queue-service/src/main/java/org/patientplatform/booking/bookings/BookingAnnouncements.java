package org.patientplatform.booking.bookings;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.patientplatform.booking.AfterCommit;
import org.patientplatform.kit.outbox.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Writes what a booking change tells other services to the kit's outbox, in the change's transaction: a
 * rolled-back change announces nothing, a committed one is published even if the process dies right after.
 * <ul>
 * <li>a booking that got a place: {@link BookingConfirmed} on {@code booking.events.v1} (key: site id), whether
 * it came through the API or as a {@link BookingRequested} from the topic;</li>
 * <li>a cancellation made through the API: {@link BookingCancelled} on {@code booking.events.v1}. One that came
 * from the topic is already there and is never published again;</li>
 * <li>both: a {@link BookingNotificationRequest} on {@code notification.requests.v1} (key: patient id), so the
 * patient is told, only when the booking's patient id is the patient service's id (a UUID): the notification
 * service addresses patients by it alone, and a free-text id would wait there for a contact that never comes,
 * or reach whoever holds that id (its staff recipients are ids such as {@code ops-oncall}).</li>
 * <li>a cancellation, for such a patient: before its notice, a {@link BookingNotificationWithdrawal} of the
 * confirmation's notice (same topic and key), so one not sent yet is never sent.</li>
 * </ul>
 * A request that got no place announces nothing. {@code booking.notification.requests{type,outcome}} counts the
 * notifications asked for ({@code requested}) and those not asked for ({@code skipped_patient_id}), on commit.
 * Logs carry booking ids only.
 */
@Component
class BookingAnnouncements {

	private static final Logger log = LoggerFactory.getLogger(BookingAnnouncements.class);

	/** The patient service's ids: UUIDs in their 8-4-4-4-12 form (either case; sent in lower case). */
	private static final Pattern PATIENT_SERVICE_ID = Pattern
		.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

	private final Outbox outbox;

	private final BookingProperties.Topics topics;

	private final BookingProperties.Notifications notifications;

	private final DateTimeFormatter startsAtFormat;

	private final Map<Outcome, Counter> confirmedCounters = new EnumMap<>(Outcome.class);

	private final Map<Outcome, Counter> cancelledCounters = new EnumMap<>(Outcome.class);

	enum Outcome {

		REQUESTED, SKIPPED_PATIENT_ID

	}

	BookingAnnouncements(Outbox outbox, BookingProperties properties, MeterRegistry registry) {
		this.outbox = outbox;
		this.topics = properties.topics();
		this.notifications = properties.notifications();
		this.startsAtFormat = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ENGLISH)
			.withZone(this.notifications.timeZone());
		for (Outcome outcome : Outcome.values()) {
			this.confirmedCounters.put(outcome, counter(registry, BookingNotificationRequest.CONFIRMED, outcome));
			this.cancelledCounters.put(outcome, counter(registry, BookingNotificationRequest.CANCELLED, outcome));
		}
	}

	private static Counter counter(MeterRegistry registry, String type, Outcome outcome) {
		return Counter.builder("booking.notification.requests")
			.description("Notifications asked of the notification service, or not asked for want of a patient id "
					+ "it can address, by type")
			.tag("type", type)
			.tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
			.register(registry);
	}

	/** The booking got a place: must run in the transaction that gave it. */
	void confirmed(Booking booking, Instant startsAt, Instant confirmedAt) {
		this.outbox.append(this.topics.events(), booking.siteId(), BookingConfirmed.TYPE, new BookingConfirmed(
				booking.id(), booking.siteId(), booking.slotId(), booking.patientId(), startsAt, confirmedAt));
		notifyPatient(booking, BookingNotificationRequest.CONFIRMED, startsAt, this.confirmedCounters);
	}

	/**
	 * The booking was cancelled: must run in the transaction that cancelled it.
	 * @param startsAt when its slot starts, empty if the slot cannot be found (then no notification is asked for)
	 * @param fromTopic true when the cancellation came from {@code booking.events.v1}: it is not published again
	 */
	void cancelled(Booking booking, Optional<Instant> startsAt, @Nullable String reason, Instant cancelledAt,
			boolean fromTopic) {
		if (!fromTopic) {
			this.outbox.append(this.topics.events(), booking.siteId(), BookingCancelled.TYPE,
					new BookingCancelled(booking.id(), booking.siteId(), cancelledAt, reason));
		}
		withdrawConfirmation(booking);
		startsAt.ifPresent((at) -> notifyPatient(booking, BookingNotificationRequest.CANCELLED, at,
				this.cancelledCounters));
	}

	/**
	 * Withdraws the booking's confirmation notice, ahead of the cancellation's on the patient's partition: one not
	 * sent yet (a booking cancelled at once, a patient whose contact has not come) is never sent.
	 */
	private void withdrawConfirmation(Booking booking) {
		addressablePatientId(booking).ifPresent((patientId) -> this.outbox.append(
				this.topics.notificationRequests(), patientId, BookingNotificationWithdrawal.EVENT_TYPE,
				new BookingNotificationWithdrawal(confirmationKey(booking), BookingNotificationWithdrawal.REASON,
						patientId)));
	}

	/** The booking's patient id in lower case, as the notification service knows it: only a patient service id. */
	private static Optional<String> addressablePatientId(Booking booking) {
		return PATIENT_SERVICE_ID.matcher(booking.patientId()).matches()
				? Optional.of(booking.patientId().toLowerCase(Locale.ROOT)) : Optional.empty();
	}

	private static String confirmationKey(Booking booking) {
		return "booking:" + booking.id() + ":confirmed";
	}

	private void notifyPatient(Booking booking, String type, Instant startsAt, Map<Outcome, Counter> counters) {
		Optional<BookingNotificationRequest> request = request(booking, type, startsAt);
		if (request.isEmpty()) {
			log.info("Booking {}: no {} notification, its patient id is not a patient service id", booking.id(),
					type);
			AfterCommit.run(counters.get(Outcome.SKIPPED_PATIENT_ID)::increment);
			return;
		}
		this.outbox.append(this.topics.notificationRequests(), request.get().patientId(),
				BookingNotificationRequest.EVENT_TYPE, request.get());
		AfterCommit.run(counters.get(Outcome.REQUESTED)::increment);
	}

	private static Map<String, String> parameters(String siteName, String startsAt) {
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("siteName", siteName);
		parameters.put("startsAt", startsAt);
		return parameters;
	}

	/** The notification to ask for, or empty when the booking's patient id is not one the notification service knows. */
	Optional<BookingNotificationRequest> request(Booking booking, String type, Instant startsAt) {
		return addressablePatientId(booking).map((patientId) -> new BookingNotificationRequest(patientId, type,
				parameters(this.notifications.siteName(booking.siteId()), this.startsAtFormat.format(startsAt)),
				type.equals(BookingNotificationRequest.CONFIRMED) ? confirmationKey(booking)
						: "booking:" + booking.id() + ":cancelled"));
	}

}
