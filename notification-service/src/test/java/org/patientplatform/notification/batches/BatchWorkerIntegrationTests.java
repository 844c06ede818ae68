package org.patientplatform.notification.batches;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestApi;
import org.patientplatform.notification.TestContacts;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A batch run by the real {@code wrk--batch-publisher} worker, every role on. */
@NotificationIntegrationTest
class BatchWorkerIntegrationTests {

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	JsonMapper json;

	@LocalServerPort
	int port;

	@Test
	void theBatchPublisherWorkerCreatesTheBatchsNotifications() {
		TestApi api = new TestApi(this.port, this.signingKey);
		TestContacts contacts = new TestContacts(this.jdbc);
		List<String> patients = IntStream.range(0, 12).mapToObj((i) -> contacts.known("en")).toList();

		JsonNode batch = api.json(api.post("/api/v1/notifications/batches", api.token("service"),
				"{\"type\": \"booking-cancelled\", \"parameters\": {\"siteName\": \"North Lab\", \"startsAt\": \"24 Dec 10:00\"}, \"patientIds\": %s}"
					.formatted(this.json.writeValueAsString(patients))));
		String id = batch.path("id").asString();

		JsonNode done = await().atMost(Duration.ofSeconds(60))
			.until(() -> api.json(api.get("/api/v1/notifications/batches/" + id, api.staffToken())),
					(progress) -> progress.path("state").asString().equals("COMPLETED"));
		assertThat(done.path("created").asInt()).isEqualTo(12);
		assertThat(this.jdbc.queryForList("SELECT patient_id FROM notification WHERE idempotency_key LIKE ?",
				String.class, "batch:" + UUID.fromString(id) + ":%"))
			.containsExactlyInAnyOrderElementsOf(patients);
	}

}
