package org.patientplatform.booking;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.cron.CronScheduler;
import org.patientplatform.kit.jobs.JobWorkers;
import org.patientplatform.local.infra.LocalSigningKey;
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
		assertThat(contractFaults(document, "booking")).isEmpty();
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

	/**
	 * What an OpenAPI 3.1 validator refuses, or a client made from the document would read wrongly: a parameter or
	 * a header without a schema, a pattern not anchored or in Java's dialect (JSON Schema's is ECMA-262's and
	 * matches anywhere), an error answer in problem+json without its schema, an operation under /api/ without the
	 * 406 it answers to an Accept it cannot write. The document is kept in target/ for a linter.
	 */
	static List<String> contractFaults(String document, String service) throws java.io.IOException {
		java.nio.file.Files.writeString(java.nio.file.Path.of("target", "openapi-" + service + ".json"), document);
		JsonNode api = JsonMapper.shared().readTree(document);
		List<String> faults = new ArrayList<>();
		api.path("paths").forEachEntry((path, item) -> item.forEachEntry((method, operation) -> {
			String where = method + " " + path;
			operation.path("parameters").forEach((parameter) -> {
				if (!parameter.has("schema") && !parameter.has("content")) {
					faults.add(where + ": parameter " + parameter.path("name").asString() + " has no schema");
				}
			});
			operation.path("responses").forEachEntry((status, response) -> {
				response.path("headers").forEachEntry((name, header) -> {
					if (!header.has("schema") && !header.has("content")) {
						faults.add(where + " " + status + ": header " + name + " has no schema");
					}
				});
				JsonNode problem = response.at("/content/application~1problem+json");
				if (status.matches("[45]..") && !problem.isMissingNode() && !problem.has("schema")) {
					faults.add(where + " " + status + ": problem+json without a schema");
				}
			});
			if (path.startsWith("/api/") && !operation.path("responses").has("406")) {
				faults.add(where + ": no 406");
			}
		}));
		patternFaults(api, "", faults);
		return faults;
	}

	private static void patternFaults(JsonNode node, String where, List<String> faults) {
		node.forEachEntry((name, value) -> {
			if ("pattern".equals(name) && value.isString()) {
				String pattern = value.asString();
				if (!pattern.startsWith("^") || !pattern.endsWith("$") || pattern.contains("(?i)")
						|| pattern.contains("(?s)")) {
					faults.add(where + ": pattern " + pattern);
				}
			}
			else if (value.isContainer()) {
				patternFaults(value, where + "/" + name, faults);
			}
		});
		if (node.isArray()) {
			node.forEach((each) -> patternFaults(each, where + "[]", faults));
		}
	}

}
