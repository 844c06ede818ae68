package org.patientplatform.kit.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.QueryParameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kit's {@link OpenApiContractDocumented}: the test service's {@code /v3/api-docs} is valid OpenAPI 3.1 (a schema
 * for every parameter and header, JSON Schema's patterns) and documents the errors it answers.
 */
@KitIntegrationTest
class OpenApiContractDocumentedIntegrationTests {

	@Autowired
	JsonMapper json;

	@Autowired
	LocalSigningKey signingKey;

	@LocalServerPort
	int port;

	RestClient client;

	JsonNode api;

	@BeforeEach
	void setUp() {
		this.client = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
		this.api = this.json.readTree(this.client.get().uri("/v3/api-docs").retrieve().body(String.class));
	}

	@Test
	void givesEveryParameterAndHeaderASchema() {
		// before: "Must contain at least one of schema, content" for each of these
		JsonNode patterned = this.api.at("/paths/~1api~1v1~1things~1patterned/post");
		assertThat(parameter(patterned, "X-Note").at("/schema/type").asString()).isEqualTo("string");
		assertThat(patterned.at("/responses/200/headers/Location/schema/type").asString()).isEqualTo("string");
		// an Idempotency-Key the operation names itself, without a schema (the kit's own declaration has one)
		JsonNode create = this.api.at("/paths/~1api~1v1~1things/post");
		assertThat(parameter(create, "Idempotency-Key").at("/schema/type").asString()).isEqualTo("string");
		List<String> without = new ArrayList<>();
		this.api.path("paths").forEachEntry((path, item) -> item.forEachEntry((method, operation) -> {
			operation.path("parameters").forEach((parameter) -> {
				if (!parameter.has("schema") && !parameter.has("content")) {
					without.add(method + " " + path + " " + parameter.path("name").asString());
				}
			});
			operation.path("responses").forEachEntry((status, response) -> response.path("headers")
				.forEachEntry((name, header) -> {
					if (!header.has("schema") && !header.has("content")) {
						without.add(method + " " + path + " " + status + " " + name);
					}
				}));
		}));
		assertThat(without).isEmpty();
	}

	@Test
	void writesPatternsAsJsonSchemaReadsThem() {
		JsonNode patterned = this.api.at("/paths/~1api~1v1~1things~1patterned/post");
		// an alternation of words is an enum: as a pattern it matched "REOPENED" (JSON Schema matches anywhere)
		JsonNode state = parameter(patterned, "state").path("schema");
		assertThat(state.has("pattern")).isFalse();
		assertThat(state.path("enum").valueStream().map(JsonNode::asString).toList()).containsExactly("OPEN",
				"CLOSED");
		// an inline flag does not compile as ECMA-262: no pattern, the rule in the description
		JsonNode format = parameter(patterned, "format").path("schema");
		assertThat(format.has("pattern")).isFalse();
		assertThat(format.has("enum")).isFalse();
		assertThat(format.path("description").asString()).contains("(?i)json|csv");
		// any other is anchored, as @Pattern matches the whole value; one anchored already is kept
		assertThat(parameter(patterned, "code").at("/schema/pattern").asString())
			.isEqualTo("^(?:(?!\\.{1,2}$)[a-z.]{1,9})$");
		assertThat(parameter(patterned, "word").at("/schema/pattern").asString()).isEqualTo("^[a-z]+$");
		// a body's fields and its list's items, in the components
		JsonNode body = this.api.at("/components/schemas/Patterned/properties");
		assertThat(body.path("level").has("pattern")).isFalse();
		// level may be null (@Nullable): its enum has null too, or it would refuse what its type allows
		assertThat(body.path("level").path("type").toString()).contains("null");
		assertThat(body.path("level").path("enum").toString()).isEqualTo("[\"LOW\",\"HIGH\",null]");
		assertThat(body.at("/numbers/items/pattern").asString()).isEqualTo("^(?:[0-9]+)$");
		// and no pattern in the document is left unanchored or with Java's inline flags
		List<String> patterns = new ArrayList<>();
		collectPatterns(this.api, patterns);
		assertThat(patterns).isNotEmpty()
			.allSatisfy((pattern) -> assertThat(pattern).startsWith("^").endsWith("$").doesNotContain("(?i)", "(?s)"));
	}

	@Test
	void documentsTheProblemOfAnErrorAnswerThatNamesNoSchema() {
		JsonNode conflict = this.api.at("/paths/~1api~1v1~1things~1patterned/post/responses/409");
		assertThat(conflict.path("description").asString()).startsWith("Busy; or ");
		assertThat(conflict.at("/content/application~1problem+json/schema/$ref").asString())
			.isEqualTo("#/components/schemas/Problem");
	}

	@Test
	void documentsWhatAReusedIdempotencyKeyAnswersBesideAnOperationsOwnConflict() {
		// before: an operation with a 409 of its own kept it as it was, and never said a reused key answers 409
		// with Retry-After
		JsonNode own = this.api.at("/paths/~1api~1v1~1things~1patterned/post/responses");
		assertThat(own.at("/409/description").asString()).isEqualTo("Busy; or the first request with this "
				+ "Idempotency-Key is still in progress: send it again after the `Retry-After` seconds");
		assertThat(own.at("/409/headers/Retry-After/schema/type").asString()).isEqualTo("integer");
		assertThat(own.at("/422/description").asString()).isEqualTo(ProblemResponsesDocumented.REUSED);
		// the kit's own 409, where the operation has none, says so too, with the header
		JsonNode added = this.api.at("/paths/~1api~1v1~1things/post/responses/409");
		assertThat(added.path("description").asString()).isEqualTo(ProblemResponsesDocumented.IN_PROGRESS);
		assertThat(added.at("/headers/Retry-After/schema/type").asString()).isEqualTo("integer");

		// an operation's own 409 and 422, applied twice: the key's case is appended once; one that already speaks of
		// the key, and its Retry-After in another case, are kept as they are
		ApiResponses conflict = new ApiResponses()
			.addApiResponse("409", new ApiResponse().description("The entry is discarded."))
			.addApiResponse("422", new ApiResponse().description("The edit does not apply"));
		ApiResponses spoken = new ApiResponses().addApiResponse("409",
				new ApiResponse().description("In flight, or a request with this Idempotency-Key is")
					.addHeaderObject("retry-after", new Header().description("its own")));
		OpenAPI openApi = new OpenAPI().paths(new Paths()
			.addPathItem("/api/v1/entries/{id}/discard", new PathItem().post(new Operation().responses(conflict)))
			.addPathItem("/api/v1/entries/{id}/redrive", new PathItem().post(new Operation().responses(spoken))));
		ProblemResponsesDocumented customizer = new ProblemResponsesDocumented();
		customizer.customise(openApi);
		String once = openApi.toString();
		customizer.customise(openApi);
		assertThat(openApi.toString()).isEqualTo(once);
		assertThat(conflict.get("409").getDescription()).isEqualTo("The entry is discarded. "
				+ ProblemResponsesDocumented.IN_PROGRESS + ".");
		assertThat(conflict.get("409").getHeaders()).containsOnlyKeys("Retry-After");
		assertThat(conflict.get("422").getDescription()).isEqualTo("The edit does not apply; or this "
				+ "Idempotency-Key was used for a different request (another body, path or method): a key names one "
				+ "request");
		assertThat(spoken.get("409").getDescription())
			.isEqualTo("In flight, or a request with this Idempotency-Key is");
		assertThat(spoken.get("409").getHeaders()).containsOnlyKeys("retry-after");
		assertThat(spoken.get("409").getHeaders().get("retry-after").getDescription()).isEqualTo("its own");
	}

	@Test
	void documentsTheNotAcceptableItAnswers() {
		// answered: an Accept the operation cannot write in
		ResponseEntity<String> answer = this.client.get()
			.uri("/api/v1/things/created")
			.header("Authorization",
					"Bearer " + this.signingKey.mint("staff-1", List.of("staff"), null, java.time.Duration.ofMinutes(5)))
			.header("Accept", "application/pdf")
			.retrieve()
			.toEntity(String.class);
		assertThat(answer.getStatusCode().value()).isEqualTo(406);
		assertThat(answer.getHeaders().getContentType()).hasToString("application/problem+json");
		// and documented on every operation under /api/
		this.api.path("paths").forEachEntry((path, item) -> {
			if (path.startsWith("/api/")) {
				item.forEachEntry((method, operation) -> assertThat(
						operation.at("/responses/406/content/application~1problem+json/schema/$ref").asString())
					.as(method + " " + path)
					.isEqualTo("#/components/schemas/Problem"));
			}
		});
	}

	@Test
	void changesNothingWhenAppliedAgain() {
		Schema<?> alternation = new StringSchema().pattern("A|B");
		Schema<?> open = new StringSchema().pattern("[a-z]+");
		Schema<?> flagged = new StringSchema().pattern("(?s).*").description("Any text.");
		OpenAPI openApi = new OpenAPI().paths(new Paths().addPathItem("/api/v1/x",
				new PathItem().get(new Operation().addParametersItem(new QueryParameter().name("a").schema(alternation))
					.addParametersItem(new QueryParameter().name("o").schema(open))
					.addParametersItem(new QueryParameter().name("f").schema(flagged))
					.addParametersItem(new QueryParameter().name("n")))));
		OpenApiContractDocumented customizer = new OpenApiContractDocumented();
		customizer.customise(openApi);
		String once = openApi.toString();
		customizer.customise(openApi);
		assertThat(openApi.toString()).isEqualTo(once);
		assertThat(List.copyOf(alternation.getEnum()).stream().map(String::valueOf).toList()).containsExactly("A", "B");
		assertThat(open.getPattern()).isEqualTo("^(?:[a-z]+)$");
		assertThat(flagged.getPattern()).isNull();
		assertThat(flagged.getDescription()).isEqualTo("Any text. Must match the Java regular expression `(?s).*` "
				+ "(as a whole).");
		assertThat(openApi.getPaths().get("/api/v1/x").getGet().getParameters().get(3).getSchema().getType())
			.isEqualTo("string");
		// the 406 is documented with the other error answers
		new ProblemResponsesDocumented().customise(openApi);
		assertThat(openApi.getPaths().get("/api/v1/x").getGet().getResponses()).containsKey("406");
		// a pattern anchored with an alternation outside a group still matches within a value: anchored again
		assertThat(OpenApiContractDocumented.anchored("^a|b$")).isFalse();
		assertThat(OpenApiContractDocumented.anchored("^(a|b)$")).isTrue();
		assertThat(OpenApiContractDocumented.anchored("^[|]a\\$")).isFalse();
	}

	private static JsonNode parameter(JsonNode operation, String name) {
		return operation.path("parameters")
			.valueStream()
			.filter((parameter) -> name.equals(parameter.path("name").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no parameter " + name + " in " + operation));
	}

	private static void collectPatterns(JsonNode node, List<String> patterns) {
		if (node.isObject()) {
			for (Map.Entry<String, JsonNode> entry : node.properties()) {
				if ("pattern".equals(entry.getKey()) && entry.getValue().isString()) {
					patterns.add(entry.getValue().asString());
				}
				else {
					collectPatterns(entry.getValue(), patterns);
				}
			}
		}
		else if (node.isArray()) {
			node.forEach((each) -> collectPatterns(each, patterns));
		}
	}

}
