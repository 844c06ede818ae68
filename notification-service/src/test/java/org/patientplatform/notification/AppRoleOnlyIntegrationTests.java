package org.patientplatform.notification;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
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
import org.springframework.http.MediaType;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@NotificationIntegrationTest
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

	TestApi api;

	@BeforeEach
	void setUp() {
		this.api = new TestApi(this.port, this.signingKey);
	}

	@Test
	void startsNoKafkaListenerAndNoSchedule() {
		assertThat(this.listeners.getListenerContainers()).isEmpty();
		// no cron schedule and no job worker either: those belong to the cron and wrk--* roles
		assertThat(this.context.getBeanNamesForType(CronScheduler.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(JobWorkers.class)).isEmpty();
		this.schedules.forEach((holder) -> assertThat(holder.getScheduledTasks()).isEmpty());
	}

	@Test
	void documentsTheStatusesTheOperationsAnswer() {
		// the API document said 200 where a reminder rule is created (201) and a batch accepted (202), and named
		// neither a batch cancelled twice (409) nor a cancellation by an idempotency key no notification has (404)
		var paths = this.api.json(this.api.get("/v3/api-docs", null)).path("paths");
		assertThat(paths.path("/api/v1/notifications/reminders").path("post").path("responses").propertyNames())
			.contains("201")
			.doesNotContain("200");
		assertThat(paths.path("/api/v1/notifications/batches").path("post").path("responses").propertyNames())
			.contains("202")
			.doesNotContain("200");
		assertThat(paths.path("/api/v1/notifications/batches/{id}/cancel").path("post").path("responses")
			.propertyNames()).contains("200", "404", "409");
		assertThat(paths.path("/api/v1/notifications/cancel").path("post").path("responses").propertyNames())
			.contains("200", "404");
	}

	@Test
	void documentsQuietHoursAsTheTimesItTakes() {
		// the document said time-local (RFC 3339 partial-time), while only HH:mm was read: 21:00:00 was a 400
		var schemas = this.api.json(this.api.get("/v3/api-docs", null)).path("components").path("schemas");
		for (String field : List.of("start", "end")) {
			var time = schemas.path("QuietHours").path("properties").path(field);
			assertThat(time.path("format").asString()).as(field).isEqualTo("time-local");
			Pattern pattern = Pattern.compile(time.path("pattern").asString());
			assertThat(List.of("21:00", "21:00:00", "21:00:00.000", "08:30:00.0"))
				.allMatch((taken) -> pattern.matcher(taken).matches());
			assertThat(List.of("21:00:30", "21:00:00.5", "24:00", "9:30", "21:00Z"))
				.noneMatch((refused) -> pattern.matcher(refused).matches());
			assertThat(time.path("description").asString()).contains("to the minute");
		}
	}

	@Test
	void servesTheApiBehindAToken() {
		var anonymous = this.api.get("/api/v1/patients/P-1/notifications", null);
		assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
		assertThat(anonymous.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

		var staff = this.api.get("/api/v1/patients/P-1/notifications", this.api.staffToken());
		assertThat(staff.getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.json(staff).path("items").size()).isZero();
	}

	@Test
	void servesHealthMetricsAndTheOpenApiDocumentWithoutToken() {
		assertThat(this.api.get("/actuator/health/liveness", null).getBody()).contains("\"UP\"");
		assertThat(this.api.get("/actuator/health/readiness", null).getBody()).contains("\"UP\"")
			.contains("db")
			.contains("kafka");
		assertThat(this.api.get("/actuator/prometheus", null).getBody()).contains("jvm_memory_used_bytes");
		var paths = this.api.json(this.api.get("/v3/api-docs", null)).path("paths");
		assertThat(paths.propertyNames()).contains("/api/v1/notifications/{id}",
				"/api/v1/patients/{patientId}/notifications", "/api/v1/patients/{patientId}/preferences");
		assertThat(paths.path("/api/v1/patients/{patientId}/preferences").propertyNames()).contains("get", "put");
	}

	@Test
	void documentsAContractAValidatorTakes() throws Exception {
		String document = this.api.get("/v3/api-docs", null).getBody();
		assertThat(OpenApiContract.faults(document, "notification")).isEmpty();
		JsonNode paths = JsonMapper.shared().readTree(document).path("paths");
		// before: the Idempotency-Key had no schema, and 400 and 409 were said to be a NotificationView in JSON
		JsonNode send = paths.path("/api/v1/notifications").path("post");
		assertThat(parameter(send, "Idempotency-Key").at("/schema/type").asString()).isEqualTo("string");
		for (String status : List.of("400", "409")) {
			JsonNode content = send.path("responses").path(status).path("content");
			assertThat(content.propertyNames()).as(status).containsExactly("application/problem+json");
			assertThat(content.at("/application~1problem+json/schema/$ref").asString()).as(status)
				.isEqualTo("#/components/schemas/Problem");
		}
		// the latest report's 404 (none built yet) was answered but not listed
		JsonNode latest = paths.path("/api/v1/notifications/reports/daily").path("get");
		assertThat(latest.at("/responses/404/content/application~1problem+json/schema/$ref").asString())
			.isEqualTo("#/components/schemas/Problem");
		// declaring the 404 kept the 200 (an operation without a 2xx is what a linter warns of)
		assertThat(latest.at("/responses/200/content").propertyNames()).containsExactly("application/json",
				"text/csv");
		// (?i)json|csv does not compile as JavaScript: described, not a pattern
		JsonNode format = parameter(latest, "format").path("schema");
		assertThat(format.has("pattern")).isFalse();
		assertThat(format.path("description").asString()).contains("(?i)json|csv");
		// the webhooks take no token: an empty list of requirements, and the signature that authenticates them
		for (String webhook : List.of("/api/v1/notifications/webhooks/twilio/status",
				"/api/v1/notifications/webhooks/twilio/inbound")) {
			JsonNode operation = paths.path(webhook).path("post");
			assertThat(operation.path("security").isArray() && operation.path("security").isEmpty()).as(webhook)
				.isTrue();
			JsonNode signature = parameter(operation, "X-Twilio-Signature");
			assertThat(signature.path("required").asBoolean(false)).as(webhook).isTrue();
			assertThat(signature.at("/schema/type").asString()).as(webhook).isEqualTo("string");
			assertThat(signature.path("description").asString()).as(webhook).contains("HMAC-SHA1", "403");
			assertThat(operation.at("/responses/403/content/application~1problem+json/schema/$ref").asString())
				.as(webhook)
				.isEqualTo("#/components/schemas/Problem");
		}
	}

	private static JsonNode parameter(JsonNode operation, String name) {
		return operation.path("parameters")
			.valueStream()
			.filter((parameter) -> name.equals(parameter.path("name").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no parameter " + name + " in " + operation));
	}

}
