package org.patientplatform.booking.bookings;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.kit.web.TimeCursor;
import org.patientplatform.booking.slots.Slot;
import org.patientplatform.booking.slots.Slots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Takes and changes bookings. A booking takes a place while its slot is locked, so bookings of one slot
 * are decided one after the other; the database constraints would refuse an over-booking anyway. Every
 * status change publishes a {@link BookingStatusChanged} inside its transaction.
 */
@Service
public class BookingDesk {

	private static final Logger log = LoggerFactory.getLogger(BookingDesk.class);

	/** How much earlier than its booking a check-in may be dated (producers' clocks and events race). */
	static final Duration CHECK_IN_MARGIN = Duration.ofHours(1);

	/** How far ahead of this service's clock a request may be dated (a producer's clock may run fast). */
	static final Duration REQUESTED_AHEAD_MARGIN = Duration.ofHours(1);

	/**
	 * How far ahead of this service's clock a check-in may be dated: a later time (a wrong clock, a mistyped
	 * year) would put the patient behind every check-in until then, for good.
	 */
	static final Duration CHECK_IN_AHEAD_MARGIN = Duration.ofHours(1);

	/**
	 * How far ahead of this service's clock a no-show may be dated: one dated further (a wrong clock) could free the
	 * place of a slot that has not started by this clock.
	 */
	static final Duration NO_SHOW_AHEAD_MARGIN = Duration.ofHours(1);

	private final Bookings bookings;

	private final Slots slots;

	private final ApplicationEventPublisher events;

	private final BookingMetrics metrics;

	private final BookingAnnouncements announcements;

	private final PatientMerges merges;

	private final Clock clock = Clock.systemUTC();

	BookingDesk(Bookings bookings, Slots slots, ApplicationEventPublisher events, BookingMetrics metrics,
			BookingAnnouncements announcements, PatientMerges merges) {
		this.bookings = bookings;
		this.slots = slots;
		this.events = events;
		this.metrics = metrics;
		this.announcements = announcements;
		this.merges = merges;
	}

	/**
	 * The patient id as this service reads it: the survivor's when the LIS merged the patient into another
	 * ({@link PatientMerges}), canonical ({@link PatientIds}).
	 */
	public String survivorOf(String patientId) {
		return this.merges.survivorOf(patientId);
	}

	/** The booking, or empty when there is none with this id. */
	@Transactional(readOnly = true)
	public Optional<Booking> find(UUID id) {
		return this.bookings.findById(id);
	}

	/**
	 * A page of the patient's bookings, newest first: {@link Bookings#findByPatient}.
	 * @param limit a page's size plus one
	 */
	@Transactional(readOnly = true)
	public List<Booking> findByPatient(String patientId, @Nullable BookingStatus status, @Nullable TimeCursor after,
			int limit) {
		return this.bookings.findByPatient(patientId, status, after, limit);
	}

	/**
	 * Books a place for the patient (the API): stores the booking only when it gets a place. A merged patient's
	 * booking is the survivor's ({@link PatientMerges}).
	 */
	@Transactional
	BookingAttempt book(UUID slotId, String patientId) {
		Instant now = now();
		BookingAttempt attempt = attempt(UUID.randomUUID(), slotId, null, this.merges.lockedSurvivorOf(patientId), now,
				now);
		this.metrics.requested(attempt, false);
		return attempt;
	}

	/**
	 * Records a booking request from the topic: CONFIRMED with a place, or rejected with the reason. A
	 * booking id that is already stored changes nothing: a request sent again. One already stored for another
	 * patient, slot or site is refused (dead-lettered with the reason): skipped as a resend, its patient would
	 * believe they were booked. A merged patient's request is the survivor's ({@link PatientMerges}).
	 */
	@Transactional
	void record(BookingRequested request) {
		String patientId = this.merges.lockedSurvivorOf(request.patientId());
		Booking stored = this.bookings.findById(request.bookingId()).orElse(null);
		if (stored != null) {
			if (!stored.patientId().equals(patientId) || !stored.slotId().equals(request.slotId())
					|| !stored.siteId().equals(request.siteId())) {
				throw new InvalidEventException("Booking " + request.bookingId() + " is already recorded for another "
						+ "patient, slot or site; a request under its id must repeat them");
			}
			log.debug("Booking {} is already recorded", request.bookingId());
			return;
		}
		Instant now = now();
		BookingAttempt attempt = attempt(request.bookingId(), request.slotId(), request.siteId(), patientId,
				micros(request.requestedAt()), now);
		this.metrics.requested(attempt, true);
		if (attempt instanceof BookingAttempt.Rejected rejected) {
			this.bookings.insert(request.bookingId(), request.slotId(), request.siteId(), patientId,
					rejected.status(), rejected.reason(), null, rejected.slotCapacity(), micros(request.requestedAt()),
					now);
			log.info("Booking {} rejected: {}", request.bookingId(), rejected.status());
		}
	}

	private BookingAttempt attempt(UUID bookingId, UUID slotId, @Nullable String siteId, String patientId,
			Instant requestedAt, Instant now) {
		Slot slot = this.slots.lockForBooking(slotId).orElse(null);
		if (slot == null || (siteId != null && !slot.siteId().equals(siteId))) {
			return new BookingAttempt.Rejected(BookingStatus.REJECTED_UNKNOWN_SLOT,
					"There is no slot " + slotId + ((siteId != null) ? " at site " + siteId : "") + ".", null);
		}
		// a request made before the slot started keeps its chance however late it is handled (a lagging
		// consumer); one made after does not
		if (!slot.startsAt().isAfter(requestedAt)) {
			if (requestedAt.isAfter(now.plus(REQUESTED_AHEAD_MARGIN))) {
				// "asked for after the slot started", but dated well ahead of this clock: a producer's wrong clock or
				// a typo, refused with that reason (it was rejected as too late, a reason that was not the one)
				throw new InvalidEventException("Booking " + bookingId + " was asked for at " + requestedAt
						+ ", more than " + REQUESTED_AHEAD_MARGIN.toHours() + " h ahead of this service's clock ("
						+ now + ")");
			}
			return new BookingAttempt.Rejected(BookingStatus.REJECTED_SLOT_STARTED,
					"Slot " + slotId + " started at " + slot.startsAt() + ", before the booking was asked for.",
					slot.capacity());
		}
		if (this.bookings.holdsPlace(slotId, patientId)) {
			return new BookingAttempt.Rejected(BookingStatus.REJECTED_ALREADY_BOOKED,
					"The patient already holds a place in slot " + slotId + ".", slot.capacity());
		}
		OptionalInt place = this.bookings.lowestFreePlace(slotId, slot.capacity());
		if (place.isEmpty()) {
			return new BookingAttempt.Rejected(BookingStatus.REJECTED_FULL,
					"Slot " + slotId + " is full: all " + slot.capacity() + " places are booked.", slot.capacity());
		}
		Optional<Booking> stored = this.bookings.insert(bookingId, slotId, slot.siteId(), patientId,
				BookingStatus.CONFIRMED, null, place.getAsInt(), slot.capacity(), requestedAt, now);
		if (stored.isEmpty()) {
			// the id exists already: it is a redelivery, answer with what is stored (announced when it was stored)
			return new BookingAttempt.Confirmed(this.bookings.findById(bookingId).orElseThrow());
		}
		Booking booking = stored.get();
		this.announcements.confirmed(booking, slot.startsAt(), now);
		log.info("Booking {} confirmed in slot {}", booking.id(), slotId);
		return new BookingAttempt.Confirmed(booking);
	}

	/**
	 * Cancels the booking: it gives its place back and leaves the queue. A cancellation that changes the booking
	 * asks for the patient's notification and, unless it came from the topic, publishes {@link BookingCancelled}
	 * ({@link BookingAnnouncements}); one of a booking already cancelled announces nothing.
	 * @param siteId the site the booking must be at, or null for any
	 * @param fromTopic true for a {@link BookingCancelled} read from {@code booking.events.v1}
	 */
	@Transactional
	StatusChange cancel(UUID id, @Nullable String siteId, @Nullable String reason, Instant at, boolean fromTopic) {
		String why = (reason != null) ? reason : "Cancelled.";
		StatusChange change = change(id, siteId, BookingStatus.CANCELLED, why, at);
		if (change.outcome() == StatusChange.Outcome.CHANGED && change.booking() != null) {
			Booking cancelled = change.booking();
			this.announcements.cancelled(cancelled,
					this.slots.find(cancelled.slotId()).map(Slot::startsAt), why, micros(at), fromTopic);
		}
		return change;
	}

	/** Checks the patient in: the booking joins its site's queue. */
	@Transactional
	StatusChange checkIn(UUID id, String siteId, Instant at) {
		return change(id, siteId, BookingStatus.CHECKED_IN, null, at);
	}

	/** The patient was called: the booking leaves its site's queue. */
	@Transactional
	StatusChange call(UUID id, String siteId, Instant at) {
		return change(id, siteId, BookingStatus.CALLED, null, at);
	}

	/**
	 * The patient did not come: the booking leaves its site's queue and gives its place back. Announces nothing (it
	 * comes from the topic, and the patient is not told "cancelled"). A no-show marked before its slot's start, or
	 * dated more than {@link #NO_SHOW_AHEAD_MARGIN} ahead of this service's clock, is refused
	 * ({@link InvalidEventException}): nobody can be known not to have come before the slot has started.
	 */
	@Transactional
	StatusChange noShow(UUID id, String siteId, Instant at) {
		return change(id, siteId, BookingStatus.NO_SHOW, "Marked a no-show.", at);
	}

	/**
	 * A merge found one person holding two places in a slot: this one is given back ({@code CANCELLED}, with the
	 * reason, leaving the queue). Announces nothing: the person still holds the other place.
	 */
	@Transactional
	StatusChange giveBackSecondPlace(UUID id, String reason, Instant at) {
		return change(id, null, BookingStatus.CANCELLED, reason, at);
	}

	private StatusChange change(UUID id, @Nullable String siteId, BookingStatus next, @Nullable String reason,
			Instant at) {
		Booking current = this.bookings.lock(id).orElse(null);
		if (current == null || (siteId != null && !current.siteId().equals(siteId))) {
			return new StatusChange(StatusChange.Outcome.UNKNOWN, null);
		}
		if (next == BookingStatus.CHECKED_IN) {
			requirePlausibleCheckIn(current, micros(at));
		}
		if (next == BookingStatus.NO_SHOW) {
			requireStartedSlot(current, micros(at));
		}
		if (current.status() == next) {
			return new StatusChange(StatusChange.Outcome.ALREADY, current);
		}
		if (!current.status().canBecome(next)) {
			return new StatusChange(StatusChange.Outcome.NOT_ALLOWED, current);
		}
		Booking changed = this.bookings.changeStatus(id, next, reason, now());
		this.events.publishEvent(new BookingStatusChanged(changed, current.status(), micros(at)));
		log.info("Booking {} is now {} (was {})", id, next, current.status());
		return new StatusChange(StatusChange.Outcome.CHANGED, changed);
	}

	/**
	 * The queue is ordered by check-in time: a time well before the booking was asked for (more than
	 * {@link #CHECK_IN_MARGIN}) would put the patient ahead of everyone who really waited, and one well ahead of
	 * this service's clock (more than {@link #CHECK_IN_AHEAD_MARGIN}) behind everyone who checks in until then.
	 * Such an event is refused (dead-lettered with the reason) rather than applied.
	 */
	private void requirePlausibleCheckIn(Booking booking, Instant at) {
		Instant now = now();
		if (at.isAfter(now.plus(CHECK_IN_AHEAD_MARGIN))) {
			throw new InvalidEventException("Check-in of booking " + booking.id() + " at " + at + " is more than "
					+ CHECK_IN_AHEAD_MARGIN.toHours() + " h ahead of this service's clock (" + now + ")");
		}
		// the earlier of the request's own time and the time it was recorded here (a producer's clock may run
		// fast), less a margin: a walk-in's booking and check-in are made at once, by two producers whose
		// clocks and events race
		Instant askedFor = booking.requestedAt().isBefore(booking.updatedAt()) ? booking.requestedAt()
				: booking.updatedAt();
		if (at.isBefore(askedFor.minus(CHECK_IN_MARGIN))) {
			throw new InvalidEventException("Check-in of booking " + booking.id() + " at " + at
					+ " is before the booking was asked for (" + askedFor + ")");
		}
	}

	/**
	 * A no-show is known only once its slot has started: one marked before the start (or dated ahead of this
	 * service's clock by more than {@link #NO_SHOW_AHEAD_MARGIN}, so that the slot may not have started here) would
	 * give the place back, and take the patient out of the queue, before the appointment. Such an event is refused
	 * (dead-lettered with the reason) rather than applied.
	 */
	private void requireStartedSlot(Booking booking, Instant at) {
		Instant now = now();
		if (at.isAfter(now.plus(NO_SHOW_AHEAD_MARGIN))) {
			throw new InvalidEventException("No-show of booking " + booking.id() + " at " + at + " is more than "
					+ NO_SHOW_AHEAD_MARGIN.toHours() + " h ahead of this service's clock (" + now + ")");
		}
		// no start only for a request of a slot that does not exist, which never held a place (not allowed anyway)
		if (booking.startsAt() != null && at.isBefore(booking.startsAt())) {
			throw new InvalidEventException("No-show of booking " + booking.id() + " at " + at
					+ " is before its slot starts (" + booking.startsAt()
					+ "): a patient is a no-show only once the slot has started");
		}
	}

	Instant now() {
		return micros(this.clock.instant());
	}

	/** PostgreSQL keeps microseconds: cut there, so what is returned equals what is stored. */
	private static Instant micros(Instant instant) {
		return instant.truncatedTo(ChronoUnit.MICROS);
	}

}
