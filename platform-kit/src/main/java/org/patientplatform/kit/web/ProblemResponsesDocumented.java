package org.patientplatform.kit.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * Documents the error answers every API operation can give, as {@link ProblemDetailsAdvice} and the
 * security chain write them (RFC 9457 {@code application/problem+json}): 400 for a request that is not
 * valid (with each field error), 401 without a valid token, 403 for a role that does not allow it, 404
 * where the path names a resource, and 503 with {@code Retry-After} for a transient database failure
 * ({@link TransientDatabaseFailures}); an operation with a request body also 413 for a body over the service's
 * limit ({@link RequestSizeLimitFilter}) and 415 for a media type it does not take. Every POST under {@code /api/}
 * takes an optional {@code Idempotency-Key} header ({@link IdempotencyKeyFilter} covers them all): the header is
 * declared on each, with the 409 and 422 a reused key answers, except where the operation refuses the header itself
 * and says so with the extension {@value #IDEMPOTENCY_KEY_EXTENSION}{@code : refused}. An operation that documents one
 * of these itself keeps its own; one that declares no security requirement at all (a {@code PublicRequests} read) is
 * given no 401 or 403.
 */
public final class ProblemResponsesDocumented implements OpenApiCustomizer {

	static final String SCHEMA = "Problem";

	private static final String REF = "#/components/schemas/" + SCHEMA;

	/**
	 * An operation extension: {@code refused} on an operation that answers 400 to an {@code Idempotency-Key} (its
	 * answer must never be stored, as a decrypted payload's), so the header is not declared there.
	 */
	public static final String IDEMPOTENCY_KEY_EXTENSION = "x-idempotency-key";

	@Override
	public void customise(OpenAPI openApi) {
		if (openApi.getPaths() == null) {
			return;
		}
		if (openApi.getComponents() == null) {
			openApi.setComponents(new Components());
		}
		openApi.getComponents().addSchemas(SCHEMA, problemSchema());
		openApi.getPaths().forEach((path, item) -> {
			if (!path.startsWith("/api/")) {
				return;
			}
			for (Operation operation : item.readOperations()) {
				if (operation.getResponses() == null) {
					operation.setResponses(new ApiResponses());
				}
				ApiResponses responses = operation.getResponses();
				add(responses, "400", "Not a valid request: the problem lists each field error (`errors`)");
				if (operation.getSecurity() == null || !operation.getSecurity().isEmpty()) {
					// an operation that declares no security at all (@SecurityRequirements with none) is served
					// without a token (a PublicRequests bean lists it)
					add(responses, "401", "No valid bearer token");
					add(responses, "403", "The token's role does not allow this");
				}
				if (path.contains("{")) {
					add(responses, "404", "No such resource");
				}
				if (operation.getRequestBody() != null) {
					add(responses, "413", "The request body is larger than this service accepts");
					add(responses, "415", "The request body's media type is not one this operation takes");
				}
				if (item.getPost() == operation && !refusesIdempotencyKey(operation)) {
					declareIdempotencyKey(operation);
				}
				if (takesIdempotencyKey(operation)) {
					add(responses, "409", "The first request with this Idempotency-Key is still in progress: send "
							+ "it again after the `Retry-After` seconds");
					add(responses, "422", "This Idempotency-Key was used for a different request (another body, "
							+ "path or method): a key names one request");
				}
				if (!responses.containsKey("503")) {
					add(responses, "503", "A transient conflict with a concurrent request (a deadlock, a lock "
							+ "timeout, a serialization failure), or the service's database unavailable just now: "
							+ "nothing is wrong with the request, send it again as it is after the `Retry-After` "
							+ "seconds");
					responses.get("503").addHeaderObject("Retry-After", new Header()
						.description("seconds to wait before sending the request again")
						.schema(new IntegerSchema()));
				}
			}
		});
	}

	/**
	 * The filter runs for every POST under {@code /api/}, whether or not the operation names the header itself:
	 * before, only the operations that did were documented to take it.
	 */
	private static void declareIdempotencyKey(Operation operation) {
		if (!takesIdempotencyKey(operation)) {
			operation.addParametersItem(new HeaderParameter().name(IdempotencyKeyFilter.HEADER)
				.required(false)
				.description("Makes the request safe to send again: the first request with a key runs and its "
						+ "answer is kept (a day unless platform.http.idempotency-key-ttl says otherwise); the same key with the same body replays that answer, with "
						+ "another body answers 422. 1 to 255 characters, chosen by the caller (a UUID).")
				.schema(new StringSchema().minLength(1).maxLength(255)));
		}
	}

	private static boolean refusesIdempotencyKey(Operation operation) {
		return operation.getExtensions() != null
				&& "refused".equals(String.valueOf(operation.getExtensions().get(IDEMPOTENCY_KEY_EXTENSION)));
	}

	private static boolean takesIdempotencyKey(Operation operation) {
		return operation.getParameters() != null && operation.getParameters()
			.stream()
			.anyMatch((parameter) -> "header".equals(parameter.getIn())
					&& IdempotencyKeyFilter.HEADER.equalsIgnoreCase(parameter.getName()));
	}

	private static void add(ApiResponses responses, String status, String description) {
		if (!responses.containsKey(status)) {
			responses.addApiResponse(status, new ApiResponse().description(description)
				.content(new Content().addMediaType("application/problem+json",
						new MediaType().schema(new Schema<>().$ref(REF)))));
		}
	}

	private static Schema<?> problemSchema() {
		ObjectSchema fieldError = new ObjectSchema();
		Map<String, Schema> fields = new LinkedHashMap<>();
		fields.put("field", new StringSchema().description("the field, as the request names it (a.b[0].c)"));
		fields.put("message", new StringSchema().description("what is wrong with it"));
		fieldError.setProperties(fields);
		ObjectSchema problem = new ObjectSchema();
		problem.description("RFC 9457 problem details");
		Map<String, Schema> properties = new LinkedHashMap<>();
		properties.put("type", new StringSchema());
		properties.put("title", new StringSchema());
		properties.put("status", new IntegerSchema());
		properties.put("detail", new StringSchema());
		properties.put("instance", new StringSchema());
		properties.put("traceId", new StringSchema().description("for a server error: the trace id to quote"));
		properties.put("errors", new ArraySchema().items(fieldError).description("for a 400: each field error"));
		problem.setProperties(properties);
		problem.setRequired(List.of("status"));
		return problem;
	}

}
