package org.patientplatform.booking;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.patientplatform.booking.bookings.BookingRequested;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@BookingQueueIntegrationTest
@TestPropertySource(properties = "platform.roles=spc-booking-topic--consumer")
class ConsumerRoleOnlyIntegrationTests {

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	PlatformEvents events;

	@Autowired
	JdbcTemplate jdbc;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@LocalServerPort
	int port;

	@Test
	void runsTheBookingEventsAndPatientMergesListenersOnly() {
		assertThat(this.listeners.getListenerContainers()).extracting(MessageListenerContainer::getListenerId)
			.containsExactlyInAnyOrder("booking-events", "booking-patient-events");
		assertThat(this.listeners.getListenerContainer("booking-events").isRunning()).isTrue();
		assertThat(this.listeners.getListenerContainer("booking-events").getGroupId())
			.isEqualTo("booking-queue-service.spc-booking-topic--consumer");
		// the merges of patient.events.v1, in a group of its own within the role
		assertThat(this.listeners.getListenerContainer("booking-patient-events").isRunning()).isTrue();
		assertThat(this.listeners.getListenerContainer("booking-patient-events").getGroupId())
			.isEqualTo("booking-queue-service.spc-booking-topic--consumer.patients");
	}

	@Test
	void answersNotFoundForTheApiEvenWithAValidToken() {
		var withToken = TestClients.api(this.port, TestClients.staff(this.signingKey))
			.get()
			.uri("/api/v1/sites/site-a/slots")
			.retrieve()
			.toEntity(String.class);
		assertThat(withToken.getStatusCode().value()).isEqualTo(404);
		assertThat(TestClients.anonymous(this.port)
			.get()
			.uri("/api/v1/bookings/{id}", UUID.randomUUID())
			.retrieve()
			.toEntity(String.class)
			.getStatusCode()
			.value()).isEqualTo(404);
		assertThat(TestClients.anonymous(this.port)
			.get()
			.uri("/actuator/health")
			.retrieve()
			.toEntity(String.class)
			.getStatusCode()
			.value()).isEqualTo(200);
	}

	@Test
	void appliesBookingRequestsWithoutTheApp() throws Exception {
		UUID slotId = UUID.randomUUID();
		// a slot that starts later: a request is confirmed only when made before its slot starts, and a slot
		// starting now() raced the request's time (cut to the second) across a second's boundary
		this.jdbc.update("INSERT INTO slot (id, site_id, starts_at, capacity) "
				+ "VALUES (?, 'site-c', now() + interval '1 hour', 1)", slotId);
		UUID bookingId = UUID.randomUUID();
		try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(this.bootstrapServers)) {
			producer.send(TestClients.event(this.events, BookingRequested.TYPE, "site-c", new BookingRequested(bookingId,
					"site-c", slotId, "P-1", Instant.now().truncatedTo(ChronoUnit.SECONDS))))
				.get();
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(
					this.jdbc.queryForList("SELECT status FROM booking WHERE id = ?", String.class, bookingId))
				.containsExactly("CONFIRMED"));
	}

}
