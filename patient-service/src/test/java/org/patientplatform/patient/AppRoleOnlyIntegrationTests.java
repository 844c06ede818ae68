package org.patientplatform.patient;

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

@PatientIntegrationTest
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
		var anonymous = client.get().uri("/api/v1/patients/{id}", UUID.randomUUID()).retrieve().toEntity(String.class);
		assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
		assertThat(anonymous.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

		String staff = this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
		var authorized = client.get()
			.uri("/api/v1/patients/{id}", UUID.randomUUID())
			.header("Authorization", "Bearer " + staff)
			.retrieve()
			.toEntity(String.class);
		assertThat(authorized.getStatusCode().value()).isEqualTo(404);
		assertThat(authorized.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void servesHealthMetricsAndOpenApiWithoutToken() {
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
			.contains("/api/v1/patients/{id}")
			.contains("/api/v1/patients\"");
		// a search by an MRN no patient has is a 404 problem, as the README says; the document did not list it
		JsonNode api = JsonMapper.shared().readTree(client.get().uri("/v3/api-docs").retrieve().body(String.class));
		assertThat(api.at("/paths/~1api~1v1~1patients/get/responses/404/content/application~1problem+json/schema/$ref")
			.asString()).isEqualTo("#/components/schemas/Problem");
		assertThat(api.at("/paths/~1api~1v1~1patients/get/responses/200").isMissingNode()).isFalse();
		// the FHIR capability statement is documented as needing no token (nor refused for one); a read needs one
		JsonNode metadata = api.at("/paths/~1api~1fhir~1r4~1metadata/get");
		assertThat(metadata.path("security").isArray()).isTrue();
		assertThat(metadata.path("security").isEmpty()).isTrue();
		assertThat(metadata.path("responses").has("401")).isFalse();
		assertThat(metadata.path("responses").has("403")).isFalse();
		JsonNode read = api.at("/paths/~1api~1fhir~1r4~1Patient~1{id}/get");
		assertThat(read.path("security").toString()).contains("bearer");
		assertThat(read.path("responses").has("401")).isTrue();
		// under the FHIR base the document names what a FHIR client gets (before: problem+json for every error and
		// */* for the resource): the resource in JSON or XML, an error as an OperationOutcome, but for the 401
		assertThat(read.at("/responses/200/content").propertyNames()).containsExactly("application/fhir+json",
				"application/fhir+xml");
		for (String status : List.of("400", "404", "503")) {
			assertThat(read.at("/responses/" + status + "/content/application~1fhir+json/schema/$ref").asString())
				.as(status)
				.isEqualTo("#/components/schemas/OperationOutcome");
		}
		assertThat(read.at("/responses/401/content/application~1problem+json/schema/$ref").asString())
			.isEqualTo("#/components/schemas/Problem");
		assertThat(api.at("/components/schemas/OperationOutcome/properties/issue").isMissingNode()).isFalse();
		assertThat(metadata.at("/responses/400/content/application~1fhir+xml").isMissingNode()).isFalse();
		// the service's own API keeps problem+json
		assertThat(api.at("/paths/~1api~1v1~1patients/get/responses/400/content").propertyNames())
			.containsExactly("application/problem+json");
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
		assertThat(OpenApiContract.faults(document, "patient")).isEmpty();
		JsonNode paths = JsonMapper.shared().readTree(document).path("paths");
		// before: the FHIR parameters, named by annotations alone, had no schema
		JsonNode mode = paths.at("/~1api~1fhir~1r4~1metadata/get/parameters").valueStream()
			.filter((parameter) -> "mode".equals(parameter.path("name").asString()))
			.findFirst()
			.orElseThrow();
		assertThat(mode.at("/schema/enum").valueStream().map(JsonNode::asString).toList()).containsExactly("full");
		JsonNode search = paths.at("/~1api~1fhir~1r4~1Patient/get/parameters");
		assertThat(search.valueStream().map((parameter) -> parameter.path("name").asString()).toList())
			.contains("identifier", "family", "given", "name", "birthdate", "gender", "_id", "_count", "_cursor");
		search.forEach((parameter) -> assertThat(parameter.has("schema")).as(parameter.toString()).isTrue());
		assertThat(search.valueStream()
			.filter((parameter) -> "_count".equals(parameter.path("name").asString()))
			.findFirst()
			.orElseThrow()
			.at("/schema/type")
			.asString()).isEqualTo("integer");
		// a format the FHIR base cannot write is a 406 OperationOutcome there, problem+json elsewhere
		assertThat(paths.at("/~1api~1fhir~1r4~1Patient/get/responses/406/content/application~1fhir+json/schema/$ref")
			.asString()).isEqualTo("#/components/schemas/OperationOutcome");
		assertThat(paths.at("/~1api~1v1~1patients~1{id}/get/responses/406/content/application~1problem+json/schema/$ref")
			.asString()).isEqualTo("#/components/schemas/Problem");
	}

}
