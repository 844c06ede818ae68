package org.patientplatform.dlq;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.cron.CronScheduler;
import org.patientplatform.kit.jobs.JobWorkers;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.local.infra.testing.OpenApiContract;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

@DlqIntegrationTest
@TestPropertySource(properties = "platform.roles=app")
class AppRoleOnlyIntegrationTests {

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Autowired
	ApplicationContext context;

	@Autowired
	ObjectProvider<ScheduledTaskHolder> schedules;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	@Test
	void startsNoKafkaListenerAndNoSchedule() {
		assertThat(this.listeners.getListenerContainers()).isEmpty();
		// no cron schedule and no job worker either: those belong to the cron and wrk--* roles
		assertThat(this.context.getBeanNamesForType(CronScheduler.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(JobWorkers.class)).isEmpty();
		this.schedules.forEach((holder) -> assertThat(holder.getScheduledTasks()).isEmpty());
	}

	@Test
	void servesTheApiBehindAToken() {
		RestClient client = client();
		var anonymous = client.get()
			.uri("/api/v1/dlq/messages/{id}", UUID.randomUUID())
			.retrieve()
			.toEntity(String.class);
		assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
		assertThat(anonymous.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

		String ops = this.signingKey.mint("ops-1", List.of("ops"), null, Duration.ofMinutes(5));
		var authorized = client.get()
			.uri("/api/v1/dlq/messages/{id}", UUID.randomUUID())
			.header("Authorization", "Bearer " + ops)
			.retrieve()
			.toEntity(String.class);
		assertThat(authorized.getStatusCode().value()).isEqualTo(404);
	}

	@Test
	void servesHealthAndMetricsWithoutToken() {
		RestClient client = client();
		assertThat(client.get().uri("/actuator/health/liveness").retrieve().toEntity(String.class).getBody())
			.contains("\"UP\"");
		assertThat(client.get().uri("/actuator/health/readiness").retrieve().toEntity(String.class).getBody())
			.contains("\"UP\"")
			.contains("db")
			.contains("kafka");
		assertThat(client.get().uri("/actuator/prometheus").retrieve().toEntity(String.class).getBody())
			.contains("jvm_memory_used_bytes");
		assertThat(client.get().uri("/v3/api-docs").retrieve().toEntity(String.class).getBody())
			.contains("/api/v1/dlq/messages/{id}");
	}

	@Test
	void documentsTheOperatorApiAndExposesTheDlqGauges() {
		RestClient client = client();
		assertThat(client.get().uri("/v3/api-docs").retrieve().toEntity(String.class).getBody()).contains(
				"\"/api/v1/dlq/messages\"", "/api/v1/dlq/messages/facets", "/api/v1/dlq/messages/{id}/reveal",
				"/api/v1/dlq/messages/{id}/redrive", "/api/v1/dlq/messages/{id}/edit-and-redrive",
				"/api/v1/dlq/messages/{id}/discard", "/api/v1/dlq/messages/{id}/history", "/api/v1/dlq/redrives",
				"/api/v1/dlq/redrives/{id}/cancel", "/api/v1/dlq/retry-policies/{topic}", "/api/v1/dlq/patterns",
				"/api/v1/dlq/reports/{day}.csv");
		JsonNode api = JsonMapper.shared().readTree(client.get().uri("/v3/api-docs").retrieve().body(String.class));
		JsonNode bulk = api.at("/paths/~1api~1v1~1dlq~1redrives/post/responses");
		// before: documented as 200 only, while a bulk redrive answers 202 with a Location
		assertThat(bulk.at("/202/headers/Location").isMissingNode()).isFalse();
		assertThat(bulk.at("/202/content/application~1json/schema/$ref").asString()).endsWith("/BulkView");
		assertThat(bulk.at("/200/content/application~1json/schema/$ref").asString()).endsWith("/DryRun");
		// every operation names its problem answers
		assertThat(bulk.at("/400/content/application~1problem+json/schema/$ref").asString())
			.isEqualTo("#/components/schemas/Problem");
		JsonNode reveal = api.at("/paths/~1api~1v1~1dlq~1messages~1{id}~1reveal/post/responses");
		assertThat(reveal.has("401") && reveal.has("403") && reveal.has("404")).isTrue();
		// a member an answer may hold null is documented so (a probe's validator refused nearly every 200), and one
		// never null is not
		JsonNode summary = api.at("/components/schemas/EntrySummary/properties");
		assertThat(summary.at("/consumerGroup/type").toString()).contains("string", "null");
		assertThat(summary.at("/nextAttemptAt/type").toString()).contains("null");
		assertThat(summary.at("/id/type").toString()).doesNotContain("null");
		assertThat(api.at("/components/schemas/PageEntrySummary/properties/nextCursor/type").toString())
			.contains("null");
		// a bulk redrive's failures are a map, {} when none failed, never null (before: documented as one that may be)
		JsonNode failures = api.at("/components/schemas/BulkView/properties/failures");
		assertThat(failures.path("type").toString()).contains("object").doesNotContain("null");
		assertThat(failures.at("/additionalProperties/type").toString()).contains("integer");
		// an id of a bulk redrive's list not selected for a redrive in flight says until when, as the 409's Retry-After
		JsonNode inFlightUntil = api.at("/components/schemas/NotSelected/properties/inFlightUntil");
		assertThat(inFlightUntil.path("format").asString()).isEqualTo("date-time");
		assertThat(inFlightUntil.path("description").asString()).contains("dlq.retry.outcome-timeout");
		// a reveal refuses an Idempotency-Key (its answer is never stored), so it is not offered one; every other POST
		// is, with what a reused key answers, and a body too large is documented where it can be sent
		assertThat(api.at("/paths/~1api~1v1~1dlq~1messages~1{id}~1reveal/post/parameters").toString())
			.doesNotContain("Idempotency-Key");
		assertThat(reveal.has("422")).isFalse();
		JsonNode publish = api.at("/paths/~1api~1v1~1dlq~1messages/post");
		assertThat(publish.path("parameters").toString()).contains("Idempotency-Key");
		assertThat(publish.path("responses").has("413") && publish.path("responses").has("422")).isTrue();
		// the conflicts the operator actions answer (a payload that cannot be decrypted, a discarded entry, a
		// redrive in flight, a job not in the state the action needs) are in the document too, beside their 200
		for (String action : List.of("/api/v1/dlq/messages/{id}/reveal", "/api/v1/dlq/messages/{id}/redrive",
				"/api/v1/dlq/messages/{id}/edit-and-redrive", "/api/v1/dlq/messages/{id}/discard",
				"/api/v1/dlq/redrives/{id}/pause", "/api/v1/dlq/redrives/{id}/resume",
				"/api/v1/dlq/redrives/{id}/cancel")) {
			JsonNode responses = api.path("paths").path(action).path("post").path("responses");
			assertThat(responses.has("200")).as(action).isTrue();
			assertThat(responses.at("/409/content/application~1problem+json/schema/$ref").asString()).as(action)
				.isEqualTo("#/components/schemas/Problem");
		}
		// the 409 of a redrive in flight says when to try again
		for (String action : List.of("/api/v1/dlq/messages/{id}/redrive", "/api/v1/dlq/messages/{id}/edit-and-redrive")) {
			JsonNode conflict = api.path("paths").path(action).path("post").path("responses").path("409");
			assertThat(conflict.at("/headers/Retry-After/schema/type").asString()).as(action).isEqualTo("integer");
			assertThat(conflict.path("description").asString()).as(action).contains("Retry-After");
		}
		// and so does the 409 of an action with a conflict of its own, when its Idempotency-Key is reused while the
		// first request runs (before: their own 409 was kept as it was, and never said so); a reveal takes no key
		for (String action : List.of("/api/v1/dlq/messages/{id}/discard", "/api/v1/dlq/redrives/{id}/pause",
				"/api/v1/dlq/redrives/{id}/resume", "/api/v1/dlq/redrives/{id}/cancel")) {
			JsonNode conflict = api.path("paths").path(action).path("post").path("responses").path("409");
			assertThat(conflict.path("description").asString()).as(action)
				.contains("Idempotency-Key is still in progress");
			assertThat(conflict.at("/headers/Retry-After/schema/type").asString()).as(action).isEqualTo("integer");
		}
		assertThat(reveal.path("409").path("description").asString()).doesNotContain("Idempotency-Key");
		assertThat(reveal.path("409").has("headers")).isFalse();
		assertThat(api.at("/components/schemas/Problem/properties/errors/items/properties/field").isMissingNode())
			.isFalse();
		// the reports say what they answer (before: */*)
		assertThat(api.at("/paths/~1api~1v1~1dlq~1reports~1{day}.csv/get/responses/200/content/text~1csv")
			.isMissingNode()).isFalse();
		assertThat(api.at("/paths/~1api~1v1~1dlq~1reports~1{day}/get/responses/200/content/application~1json")
			.isMissingNode()).isFalse();
		// the gauges every replica serves, app replicas included: the capture group's lag is the broker's
		assertThat(client.get().uri("/actuator/prometheus").retrieve().toEntity(String.class).getBody()).contains(
				"dlq_entries{", "status=\"PERMANENTLY_FAILED\"", "dlq_oldest_unresolved_age_seconds",
				"dlq_active_failure_patterns", "dlq_capture_lag_records{group=\"dlq-service.consumer-retry-message\"");
		// the retry success rate's two series exist before the first outcome (0 of 0, not no data)
		assertThat(client.get().uri("/actuator/prometheus").retrieve().toEntity(String.class).getBody().lines()
			.filter((line) -> line.startsWith("dlq_retry_outcomes_total{")))
			.anyMatch((line) -> line.contains("status=\"RESOLVED\""))
			.anyMatch((line) -> line.contains("status=\"PERMANENTLY_FAILED\""));
	}

	private RestClient client() {
		return RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

	@Test
	void documentsAContractAValidatorTakes() throws Exception {
		String document = client().get().uri("/v3/api-docs").retrieve().body(String.class);
		assertThat(OpenApiContract.faults(document, "dlq")).isEmpty();
		JsonNode api = JsonMapper.shared().readTree(document);
		// before: the Location of a bulk redrive's 202 had no schema, which OpenAPI requires
		assertThat(api.at("/paths/~1api~1v1~1dlq~1redrives/post/responses/202/headers/Location/schema/type")
			.asString()).isEqualTo("string");
		// a list of statuses is an enum (as a pattern, NEW|RETRY_SCHEDULED|… matched "BRAND_NEW_STATUS")
		JsonNode search = api.at("/paths/~1api~1v1~1dlq~1messages/get/parameters");
		JsonNode status = parameter(search, "status").path("schema").path("items");
		assertThat(status.has("pattern")).isFalse();
		assertThat(status.path("enum").valueStream().map(JsonNode::asString).toList()).containsExactly("NEW",
				"RETRY_SCHEDULED", "RETRYING", "RESOLVED", "PERMANENTLY_FAILED", "DISCARDED");
		// q's rule is a Java regular expression that JavaScript does not compile: described, not a pattern
		JsonNode q = parameter(search, "q").path("schema");
		assertThat(q.has("pattern")).isFalse();
		assertThat(q.path("description").asString()).contains("Java regular expression");
		// a topic's pattern matches the whole name, as JSON Schema reads it (anywhere in the value)
		String topic = parameter(api.at("/paths/~1api~1v1~1dlq~1retry-policies~1{topic}/get/parameters"), "topic")
			.at("/schema/pattern")
			.asString();
		assertThat(java.util.regex.Pattern.compile(topic).matcher("bad topic!").find()).isFalse();
		assertThat(java.util.regex.Pattern.compile(topic).matcher("..").find()).isFalse();
		assertThat(java.util.regex.Pattern.compile(topic).matcher("orders.v1").find()).isTrue();
	}

	private static JsonNode parameter(JsonNode parameters, String name) {
		return parameters.valueStream()
			.filter((parameter) -> name.equals(parameter.path("name").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no parameter " + name));
	}

}
