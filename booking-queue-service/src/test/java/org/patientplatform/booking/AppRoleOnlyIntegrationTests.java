package org.patientplatform.booking;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.cron.CronScheduler;
import org.patientplatform.kit.jobs.JobWorkers;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.local.infra.testing.OpenApiContract;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@BookingQueueIntegrationTest
@TestPropertySource(properties = "platform.roles=app")
class AppRoleOnlyIntegrationTests {

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Autowired
	ApplicationContext context;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Test
	void startsNoKafkaListener() {
		assertThat(this.listeners.getListenerContainers()).isEmpty();
		// no cron schedule and no job worker either: those belong to the cron and wrk--* roles
		assertThat(this.context.getBeanNamesForType(CronScheduler.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(JobWorkers.class)).isEmpty();
	}

	@Test
	void servesTheApiBehindAToken() {
		var anonymous = TestClients.anonymous(this.port)
			.get()
			.uri("/api/v1/sites/site-a/slots")
			.retrieve()
			.toEntity(String.class);
		assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
		assertThat(anonymous.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

		var authorized = TestClients.api(this.port, TestClients.staff(this.signingKey))
			.get()
			.uri("/api/v1/sites/site-a/slots")
			.retrieve()
			.toEntity(String.class);
		assertThat(authorized.getStatusCode().value()).isEqualTo(200);
		assertThat(authorized.getBody()).isEqualTo("{\"items\":[],\"nextCursor\":null}");
	}

	@Test
	void servesHealthWithoutToken() {
		var client = TestClients.anonymous(this.port);
		assertThat(client.get().uri("/actuator/health/liveness").retrieve().toEntity(String.class).getBody())
			.contains("\"UP\"");
		assertThat(client.get().uri("/actuator/health/readiness").retrieve().toEntity(String.class).getBody())
			.contains("\"UP\"")
			.contains("db")
			.contains("kafka");
	}

	@Test
	void documentsHowFarAheadASlotMayStart() {
		String document = TestClients.anonymous(this.port)
			.get()
			.uri("/v3/api-docs")
			.retrieve()
			.toEntity(String.class)
			.getBody();
		JsonNode startsAt = JsonMapper.shared()
			.readTree(document)
			.path("components")
			.path("schemas")
			.path("NewSlot")
			.path("properties")
			.path("startsAt");
		assertThat(startsAt.path("format").asString()).isEqualTo("date-time");
		assertThat(startsAt.path("description").asString()).contains("booking.slots.max-ahead")
			.contains("2 years by default")
			.contains("hour 24 and a leap second (23:59:60) are refused");
	}

	@Test
	void listsEveryEndpointInTheOpenApiDocument() {
		String document = TestClients.anonymous(this.port)
			.get()
			.uri("/v3/api-docs")
			.retrieve()
			.toEntity(String.class)
			.getBody();
		assertThat(document).contains("\"/api/v1/sites/{siteId}/slots\"")
			.contains("\"/api/v1/bookings\"")
			.contains("\"/api/v1/bookings/{id}\"")
			.contains("\"/api/v1/sites/{siteId}/queue\"")
			.contains("\"/api/v1/bookings/{id}/queue-position\"")
			.contains("\"bearer\"")
			.doesNotContain("\"authentication\"");
	}

	@Test
	void documentsTheConflictsEachOperationAnswersAndTheIdempotencyKeyOfBooking() {
		String document = TestClients.anonymous(this.port)
			.get()
			.uri("/v3/api-docs")
			.retrieve()
			.toEntity(String.class)
			.getBody();
		JsonNode paths = JsonMapper.shared().readTree(document).path("paths");
		// before: a client made from the document knew no 409 of these two, nor the key that makes a booking retryable
		assertThat(paths.path("/api/v1/sites/{siteId}/slots").path("post").path("responses").propertyNames())
			.contains("201", "400", "409");
		assertThat(paths.path("/api/v1/bookings/{id}").path("delete").path("responses").propertyNames())
			.contains("200", "404", "409");
		JsonNode book = paths.path("/api/v1/bookings").path("post");
		assertThat(book.path("responses").propertyNames()).contains("201", "409");
		// before: the 201's Location (where the booking is read) was sent but not documented
		// and a 409 without bookingStatus (a concurrent retry with the key: in progress) was not among the 409s
		for (String post : List.of("/api/v1/bookings", "/api/v1/sites/{siteId}/slots")) {
			assertThat(paths.path(post).at("/post/responses/409/description").asString()).as(post)
				.contains("Idempotency-Key is still in progress");
		}
		assertThat(book.at("/responses/201/headers/Location/schema/format").asString()).isEqualTo("uri-reference");
		// before: creating slots sent no Location; now the listing where they are read (there is no slot by id)
		JsonNode slotsCreated = paths.path("/api/v1/sites/{siteId}/slots").at("/post/responses/201/headers/Location");
		assertThat(slotsCreated.at("/schema/format").asString()).isEqualTo("uri-reference");
		assertThat(slotsCreated.path("description").asString()).startsWith("/api/v1/sites/{siteId}/slots?from=")
			.contains("no slot by id");
		List<JsonNode> headers = new ArrayList<>();
		book.path("parameters").forEach((parameter) -> {
			if ("header".equals(parameter.path("in").asString())) {
				headers.add(parameter);
			}
		});
		assertThat(headers).extracting((header) -> header.path("name").asString()).containsExactly("Idempotency-Key");
		assertThat(headers.getFirst().path("required").asBoolean(false)).isFalse();
	}

	@Test
	void documentsBothListingsAsKeysetPages() {
		String document = TestClients.anonymous(this.port)
			.get()
			.uri("/v3/api-docs")
			.retrieve()
			.toEntity(String.class)
			.getBody();
		JsonNode api = JsonMapper.shared().readTree(document);
		Map<String, String> pages = Map.of("/api/v1/sites/{siteId}/queue", "PageQueuePosition",
				"/api/v1/sites/{siteId}/slots", "PageSlotAvailability");
		for (String path : pages.keySet()) {
			JsonNode list = api.path("paths").path(path).path("get");
			Map<String, JsonNode> parameters = new HashMap<>();
			list.path("parameters").forEach((parameter) -> parameters.put(parameter.path("name").asString(), parameter));
			assertThat(parameters).as(path).containsKeys("cursor", "limit");
			assertThat(parameters.get("cursor").path("required").asBoolean(false)).as(path).isFalse();
			JsonNode limit = parameters.get("limit").path("schema");
			assertThat(limit.path("minimum").asInt()).as(path).isEqualTo(1);
			assertThat(limit.path("maximum").asInt()).as(path).isEqualTo(200);
			// before: a bare array of every slot or waiting booking
			assertThat(list.at("/responses/200/content/application~1json/schema/$ref").asString()).as(path)
				.isEqualTo("#/components/schemas/" + pages.get(path));
			assertThat(api.path("components").path("schemas").path(pages.get(path)).path("properties").propertyNames())
				.as(path)
				.containsExactlyInAnyOrder("items", "nextCursor");
		}
	}

	@Test
	void documentsAContractAValidatorTakes() throws Exception {
		String document = TestClients.anonymous(this.port)
			.get()
			.uri("/v3/api-docs")
			.retrieve()
			.toEntity(String.class)
			.getBody();
		assertThat(OpenApiContract.faults(document, "booking")).isEmpty();
		JsonNode paths = JsonMapper.shared().readTree(document).path("paths");
		// before: each error answer was problem+json with no schema ({}), and the Idempotency-Key had none
		Map<String, List<String>> errors = Map.of("/api/v1/bookings post", List.of("400", "403", "404", "409"),
				"/api/v1/sites/{siteId}/slots post", List.of("400", "409"), "/api/v1/bookings/{id} delete",
				List.of("403", "404", "409"));
		errors.forEach((operation, statuses) -> {
			String[] pathAndMethod = operation.split(" ");
			JsonNode responses = paths.path(pathAndMethod[0]).path(pathAndMethod[1]).path("responses");
			for (String status : statuses) {
				assertThat(responses.at("/" + status + "/content/application~1problem+json/schema/$ref").asString())
					.as(operation + " " + status)
					.isEqualTo("#/components/schemas/Problem");
			}
		});
		JsonNode key = paths.path("/api/v1/bookings").path("post").path("parameters").valueStream()
			.filter((parameter) -> "Idempotency-Key".equals(parameter.path("name").asString()))
			.findFirst()
			.orElseThrow();
		assertThat(key.at("/schema/type").asString()).isEqualTo("string");
		assertThat(key.at("/schema/maxLength").asInt()).isEqualTo(255);
	}

}
