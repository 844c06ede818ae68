package org.patientplatform.booking.bookings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.patientplatform.kit.outbox.Outbox;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;

/**
 * What a booking change writes to the outbox, and the notification request it makes, compared with the
 * documented examples the notification service's own tests read
 * ({@code docs/events/notification.NotificationRequested.v1.booking-*.json}).
 */
class BookingAnnouncementsTests {

	static final UUID BOOKING = UUID.fromString("3f1c2a9e-7b4d-4e21-9a6f-1d2e3c4b5a69");

	static final UUID SLOT = UUID.fromString("8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d");

	static final String PATIENT = "5b0c1f0e-7d3a-4a55-9a8e-2f4b6c8d0e1f";

	static final Instant STARTS_AT = Instant.parse("2026-03-09T09:30:00Z");

	final JsonMapper json = JsonMapper.builder().build();

	final Outbox outbox = mock(Outbox.class);

	final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	final BookingAnnouncements announcements = new BookingAnnouncements(this.outbox,
			new BookingProperties(new BookingProperties.Topics("booking.events.v1", "notification.requests.v1"),
					new BookingProperties.Consumer("booking-queue-service.spc-booking-topic--consumer", 1),
					new BookingProperties.Notifications(ZoneId.of("UTC"), Map.of("site-north", "North Lab"))),
			this.registry);

	@Test
	void asksForTheDocumentedBookingConfirmedNotification() throws Exception {
		BookingNotificationRequest request = this.announcements
			.request(booking(PATIENT), BookingNotificationRequest.CONFIRMED, STARTS_AT)
			.orElseThrow();
		assertThat(this.json.readTree(this.json.writeValueAsString(request)))
			.isEqualTo(this.json.readTree(example("booking-confirmed")));
	}

	@Test
	void asksForTheDocumentedBookingCancelledNotification() throws Exception {
		BookingNotificationRequest request = this.announcements
			.request(booking(PATIENT), BookingNotificationRequest.CANCELLED, STARTS_AT)
			.orElseThrow();
		assertThat(this.json.readTree(this.json.writeValueAsString(request)))
			.isEqualTo(this.json.readTree(example("booking-cancelled")));
	}

	@Test
	void asksForNoNotificationForAPatientIdThatIsNotThePatientServicesId() {
		for (String patientId : new String[] { "P-000123", "ops-oncall", "5b0c1f0e7d3a4a559a8e2f4b6c8d0e1f",
				"1-2-3-4-5", PATIENT + " " }) {
			assertThat(this.announcements.request(booking(patientId), BookingNotificationRequest.CONFIRMED,
					STARTS_AT))
				.as(patientId)
				.isEmpty();
		}
	}

	@Test
	void addressesAnUpperCasePatientIdAsThePatientServiceWritesIt() {
		assertThat(this.announcements.request(booking(PATIENT.toUpperCase()), BookingNotificationRequest.CONFIRMED,
				STARTS_AT))
			.hasValueSatisfying((request) -> assertThat(request.patientId()).isEqualTo(PATIENT));
	}

	@Test
	void namesASiteWithoutAConfiguredNameByItsIdAndShowsTheStartInTheConfiguredZone() {
		BookingAnnouncements madrid = new BookingAnnouncements(this.outbox,
				new BookingProperties(new BookingProperties.Topics("booking.events.v1", "notification.requests.v1"),
						new BookingProperties.Consumer("group", 1),
						new BookingProperties.Notifications(ZoneId.of("Europe/Madrid"), null)),
				this.registry);
		Booking booking = new Booking(BOOKING, SLOT, STARTS_AT, "site-south", PATIENT, BookingStatus.CONFIRMED,
				null, STARTS_AT, STARTS_AT);
		assertThat(madrid.request(booking, BookingNotificationRequest.CONFIRMED, STARTS_AT).orElseThrow().parameters())
			.containsExactly(Map.entry("siteName", "site-south"), Map.entry("startsAt", "2026-03-09 10:30 CET"));
	}

	@Test
	void announcesAConfirmationOnTheBookingTopicAndAsksForTheNotification() {
		Instant confirmedAt = Instant.parse("2026-03-02T08:15:00.482113Z");
		this.announcements.confirmed(booking(PATIENT), STARTS_AT, confirmedAt);
		verify(this.outbox).append("booking.events.v1", "site-north", BookingConfirmed.TYPE,
				new BookingConfirmed(BOOKING, "site-north", SLOT, PATIENT, STARTS_AT, confirmedAt));
		verify(this.outbox).append(eq("notification.requests.v1"), eq(PATIENT),
				eq("notification.NotificationRequested.v1"), any(BookingNotificationRequest.class));
		verifyNoMoreInteractions(this.outbox);
		assertThat(counted("booking-confirmed", "requested")).isOne();
	}

	@Test
	void announcesAConfirmationOfAFreeTextPatientIdWithoutANotification() {
		this.announcements.confirmed(booking("P-000123"), STARTS_AT, STARTS_AT);
		verify(this.outbox).append(eq("booking.events.v1"), eq("site-north"), eq(BookingConfirmed.TYPE),
				any(BookingConfirmed.class));
		verifyNoMoreInteractions(this.outbox);
		assertThat(counted("booking-confirmed", "skipped_patient_id")).isOne();
		assertThat(counted("booking-confirmed", "requested")).isZero();
	}

	@Test
	void announcesACancellationMadeHereOnTheBookingTopic() {
		Instant at = Instant.parse("2026-03-02T09:40:00Z");
		this.announcements.cancelled(booking(PATIENT), Optional.of(STARTS_AT), "Cancelled by staff.", at, false);
		InOrder order = inOrder(this.outbox);
		order.verify(this.outbox).append("booking.events.v1", "site-north", BookingCancelled.TYPE,
				new BookingCancelled(BOOKING, "site-north", at, "Cancelled by staff."));
		// the confirmation's notice is withdrawn before the cancellation's is asked for (same topic and key)
		order.verify(this.outbox).append("notification.requests.v1", PATIENT, "notification.NotificationCancelled.v1",
				new BookingNotificationWithdrawal("booking:" + BOOKING + ":confirmed", "The booking was cancelled",
						PATIENT));
		order.verify(this.outbox).append(eq("notification.requests.v1"), eq(PATIENT),
				eq("notification.NotificationRequested.v1"), any(BookingNotificationRequest.class));
		verifyNoMoreInteractions(this.outbox);
	}

	@Test
	void neverEchoesACancellationFromTheTopicButStillTellsThePatient() {
		this.announcements.cancelled(booking(PATIENT), Optional.of(STARTS_AT), "Patient cancelled by phone",
				STARTS_AT, true);
		verify(this.outbox, never()).append(eq("booking.events.v1"), anyString(), anyString(), any());
		verify(this.outbox).append(eq("notification.requests.v1"), eq(PATIENT),
				eq("notification.NotificationCancelled.v1"), any(BookingNotificationWithdrawal.class));
		verify(this.outbox).append(eq("notification.requests.v1"), eq(PATIENT),
				eq("notification.NotificationRequested.v1"), any(BookingNotificationRequest.class));
		verifyNoMoreInteractions(this.outbox);
	}

	@Test
	void withdrawsTheConfirmationAsDocumented() throws Exception {
		this.announcements.cancelled(booking(PATIENT), Optional.of(STARTS_AT), null, STARTS_AT, false);
		ArgumentCaptor<Object> withdrawal = ArgumentCaptor.forClass(Object.class);
		verify(this.outbox).append(eq("notification.requests.v1"), eq(PATIENT),
				eq("notification.NotificationCancelled.v1"), withdrawal.capture());
		assertThat(this.json.readTree(this.json.writeValueAsString(withdrawal.getValue()))).isEqualTo(this.json
			.readTree(Files.readString(Path.of("..", "docs", "events",
					"notification.NotificationCancelled.v1.booking-confirmed.json"))));
	}

	@Test
	void withdrawsNothingForAFreeTextPatientId() {
		this.announcements.cancelled(booking("P-000123"), Optional.of(STARTS_AT), null, STARTS_AT, true);
		verifyNoInteractions(this.outbox);
	}

	private double counted(String type, String outcome) {
		return this.registry.get("booking.notification.requests").tag("type", type).tag("outcome", outcome).counter()
			.count();
	}

	private static Booking booking(String patientId) {
		return new Booking(BOOKING, SLOT, STARTS_AT, "site-north", patientId, BookingStatus.CONFIRMED, null,
				Instant.parse("2026-03-02T08:15:00Z"), Instant.parse("2026-03-02T08:15:00Z"));
	}

	private static String example(String type) throws Exception {
		return Files.readString(
				Path.of("..", "docs", "events", "notification.NotificationRequested.v1." + type + ".json"));
	}

}
