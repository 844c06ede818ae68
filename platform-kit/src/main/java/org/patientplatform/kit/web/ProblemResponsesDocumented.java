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
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.http.ProblemDetail;

/**
 * Documents the error answers every API operation can give, as {@link ProblemDetailsAdvice} and the
 * security chain write them (RFC 9457 {@code application/problem+json}): 400 for a request that is not
 * valid (with each field error), 401 without a valid token, 403 for a role that does not allow it, 404
 * where the path names a resource, 406 for an {@code Accept} it cannot answer in, and 503 with {@code Retry-After}
 * for a transient database failure ({@link TransientDatabaseFailures}); an operation with a request body also 413 for a body over the service's
 * limit ({@link RequestSizeLimitFilter}) and 415 for a media type it does not take. Every POST under {@code /api/}
 * takes an optional {@code Idempotency-Key} header ({@link IdempotencyKeyFilter} covers them all): the header is
 * declared on each, with the 409 and 422 a reused key answers, except where the operation refuses the header itself
 * and says so with the extension {@value #IDEMPOTENCY_KEY_EXTENSION}{@code : refused}; the 409 says when to try again
 * ({@code Retry-After}). An operation that documents one of these itself keeps its own, but a 409 or 422 of its own
 * has the reused key's case appended to its description (and the 409 its {@code Retry-After} header), unless it
 * already speaks of the key; one that declares no security requirement at all (a {@code PublicRequests} read) is
 * given no 401 or 403. Under the path of a service's own error format ({@link ProblemResponses.PathFormat} with a
 * {@link ProblemResponses.PathFormat#documented() documented} format, the FHIR base's OperationOutcomes) the errors
 * that format writes are documented in it.
 */
public final class ProblemResponsesDocumented implements OpenApiCustomizer {

	/**
	 * A service's own error format under a path ({@link ProblemResponses.PathFormat#documented()}): its schema, by
	 * the name it is given among the document's schemas, and the media types it is written in.
	 */
	public record Format(String schemaName, Schema<?> schema, List<String> mediaTypes) {

		public Format {
			mediaTypes = List.copyOf(mediaTypes);
		}

	}

	static final String SCHEMA = "Problem";

	private static final String REF = "#/components/schemas/" + SCHEMA;

	/**
	 * An operation extension: {@code refused} on an operation that answers 400 to an {@code Idempotency-Key} (its
	 * answer must never be stored, as a decrypted payload's), so the header is not declared there.
	 */
	public static final String IDEMPOTENCY_KEY_EXTENSION = "x-idempotency-key";

	private final List<ProblemResponses.PathFormat> formats;

	public ProblemResponsesDocumented() {
		this(List.of());
	}

	/**
	 * @param formats the services' own error formats: an operation under one's path documents the errors it writes
	 * in its format (before, an operation under the FHIR base was said to answer problem+json)
	 */
	public ProblemResponsesDocumented(List<ProblemResponses.PathFormat> formats) {
		this.formats = List.copyOf(formats);
	}

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
			ProblemResponses.@Nullable PathFormat format = formatOf(path);
			if (format != null && format.documented() != null) {
				openApi.getComponents().addSchemas(format.documented().schemaName(), format.documented().schema());
			}
			for (Operation operation : item.readOperations()) {
				if (operation.getResponses() == null) {
					operation.setResponses(new ApiResponses());
				}
				ApiResponses responses = operation.getResponses();
				add(responses, format, "400", "Not a valid request: the answer says what is wrong (a problem lists each field error, `errors`)");
				if (operation.getSecurity() == null || !operation.getSecurity().isEmpty()) {
					// an operation that declares no security at all (@SecurityRequirements with none) is served
					// without a token (a PublicRequests bean lists it)
					add(responses, format, "401", "No valid bearer token");
					add(responses, format, "403", "The token's role does not allow this");
				}
				if (path.contains("{")) {
					add(responses, format, "404", "No such resource");
				}
				add(responses, format, "406", "The Accept header names no media type this operation answers in");
				if (operation.getRequestBody() != null) {
					add(responses, format, "413", "The request body is larger than this service accepts");
					add(responses, format, "415", "The request body's media type is not one this operation takes");
				}
				if (item.getPost() == operation && !refusesIdempotencyKey(operation)) {
					declareIdempotencyKey(operation);
				}
				if (takesIdempotencyKey(operation)) {
					addOrAppend(responses, format, "409", IN_PROGRESS);
					addRetryAfter(responses.get("409"), "seconds to wait before sending the request again, when the "
							+ "first request with this Idempotency-Key is still in progress");
					addOrAppend(responses, format, "422", REUSED);
				}
				if (!responses.containsKey("503")) {
					add(responses, format, "503", "A transient conflict with a concurrent request (a deadlock, a lock "
							+ "timeout, a serialization failure), or the service's database unavailable just now: "
							+ "nothing is wrong with the request, send it again as it is after the `Retry-After` "
							+ "seconds");
					addRetryAfter(responses.get("503"), "seconds to wait before sending the request again");
				}
			}
		});
	}

	/** The 409 a reused Idempotency-Key answers while the first request with it runs. */
	static final String IN_PROGRESS = "The first request with this Idempotency-Key is still in progress: send it again "
			+ "after the `Retry-After` seconds";

	/** The 422 a reused Idempotency-Key answers for another request. */
	static final String REUSED = "This Idempotency-Key was used for a different request (another body, path or "
			+ "method): a key names one request";

	/**
	 * The answer a reused Idempotency-Key gives, or, where the operation documents that status for its own reasons
	 * (the DLQ's discard, a bulk job's pause: a conflict with the entry's or job's state), its description with the
	 * key's case appended, unless it already speaks of the key: before, such an operation's document never said a
	 * reused key answers so too.
	 */
	private static void addOrAppend(ApiResponses responses, ProblemResponses.@Nullable PathFormat format, String status,
			String description) {
		ApiResponse own = responses.get(status);
		if (own == null) {
			add(responses, format, status, description);
			return;
		}
		String said = own.getDescription();
		if (said == null || said.isBlank()) {
			own.setDescription(description);
		}
		else if (!said.contains(IdempotencyKeyFilter.HEADER)) {
			String stripped = said.strip();
			own.setDescription(stripped.endsWith(".") ? stripped + " " + description + "."
					: stripped + "; or " + Character.toLowerCase(description.charAt(0)) + description.substring(1));
		}
	}

	/** Documents an answer's {@code Retry-After} header, unless it already does (in any case). */
	private static void addRetryAfter(ApiResponse response, String description) {
		if (response.getHeaders() != null
				&& response.getHeaders().keySet().stream().anyMatch("Retry-After"::equalsIgnoreCase)) {
			return;
		}
		response.addHeaderObject("Retry-After", new Header().description(description).schema(new IntegerSchema()));
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

	private ProblemResponses.@Nullable PathFormat formatOf(String path) {
		for (ProblemResponses.PathFormat format : this.formats) {
			if (path.startsWith(format.pathPrefix())) {
				return format;
			}
		}
		return null;
	}

	private static void add(ApiResponses responses, ProblemResponses.@Nullable PathFormat format, String status,
			String description) {
		if (responses.containsKey(status)) {
			return;
		}
		Content content = new Content();
		Format documented = (format != null) ? format.documented() : null;
		if (documented != null && format.writes(ProblemDetail.forStatus(Integer.parseInt(status)))) {
			for (String mediaType : documented.mediaTypes()) {
				content.addMediaType(mediaType,
						new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + documented.schemaName())));
			}
		}
		else {
			content.addMediaType("application/problem+json", new MediaType().schema(new Schema<>().$ref(REF)));
		}
		responses.addApiResponse(status, new ApiResponse().description(description).content(content));
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
