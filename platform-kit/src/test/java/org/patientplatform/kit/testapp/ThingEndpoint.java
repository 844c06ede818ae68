package org.patientplatform.kit.testapp;

import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import io.micrometer.tracing.Tracer;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.outbox.Outbox;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.ReportedOn;
import org.springdoc.core.annotations.ParameterObject;

import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/things")
@ConditionalOnRole("app")
class ThingEndpoint {

	record NewThing(@NotBlank String value, @Email String contact, @Size(max = 5) String code, Instant due,
			@Nullable Integer count, @Nullable Integer weight, @Nullable List<UUID> refs, @Nullable Detail detail,
			@Nullable Boolean urgent) {

		@AssertTrue(message = "must not repeat the value")
		@ReportedOn("code")
		boolean isCodeOwn() {
			return this.code == null || !this.code.equals(this.value);
		}

		@AssertTrue(message = "must not be 'none'")
		boolean isValueGiven() {
			return !"none".equals(this.value);
		}

	}

	record Detail(@Nullable String note, @Nullable Instant seen) {
	}

	record CreatedThing(String id, String value) {
	}

	private final AtomicInteger created = new AtomicInteger();

	private final Outbox outbox;

	private final Tracer tracer;

	private final JdbcTemplate jdbc;

	ThingEndpoint(Outbox outbox, Tracer tracer, JdbcTemplate jdbc) {
		this.outbox = outbox;
		this.tracer = tracer;
		this.jdbc = jdbc;
	}

	@PostMapping(consumes = "application/json")
	@PreAuthorize("hasRole('staff')")
	@io.swagger.v3.oas.annotations.Parameter(name = "Idempotency-Key",
			in = io.swagger.v3.oas.annotations.enums.ParameterIn.HEADER, required = false)
	ResponseEntity<CreatedThing> create(@Valid @RequestBody NewThing thing) {
		String id = UUID.randomUUID().toString();
		this.created.incrementAndGet();
		return ResponseEntity.created(URI.create("/api/v1/things/" + id)).body(new CreatedThing(id, thing.value()));
	}

	/** A form body, as a provider's webhook posts one: its fields are the body's. Answers what it was given. */
	@PostMapping(path = "/form", consumes = "application/x-www-form-urlencoded")
	@PreAuthorize("hasRole('staff')")
	String form(@RequestBody org.springframework.util.MultiValueMap<String, String> form) {
		return new java.util.TreeMap<>(form).toString();
	}

	/** A text body (not JSON): answers its length. */
	@PostMapping(path = "/notes", consumes = "text/plain")
	@PreAuthorize("hasRole('staff')")
	int note(@RequestBody String text) {
		return text.length();
	}

	/** A form (as a provider's webhook posts): answers its fields, the query's first, as the servlet reads them. */
	@PostMapping(path = "/forms", consumes = "application/x-www-form-urlencoded")
	@PreAuthorize("hasRole('staff')")
	String form(@RequestParam List<String> from, @RequestParam String body) {
		return String.join(",", from) + "|" + body;
	}

	@GetMapping("/created")
	@PreAuthorize("hasRole('staff')")
	int created() {
		return this.created.get();
	}

	/** Writes a Thing event through the outbox and answers the request's trace id. */
	@PostMapping("/events")
	@PreAuthorize("hasRole('staff')")
	@Transactional
	String publish(@RequestBody NewThing thing) {
		this.outbox.append(ThingListener.TOPIC, "traced", Thing.TYPE, new Thing(thing.value(), null, null, null));
		return this.tracer.currentSpan().context().traceId();
	}

	/** Asks the database whether a time is in the future (a query parameter straight into SQL). */
	@GetMapping("/due")
	@PreAuthorize("hasRole('staff')")
	boolean due(@RequestParam Instant at) {
		return Boolean.TRUE.equals(this.jdbc.queryForObject("SELECT ?::timestamptz > now()", Boolean.class,
				java.sql.Timestamp.from(at)));
	}

	/** Text the database compares (a search by name, say). */
	@GetMapping("/named")
	boolean named(@RequestParam String name) {
		return Boolean.TRUE.equals(this.jdbc.queryForObject("SELECT ? = 'thing'", Boolean.class, name));
	}

	/**
	 * A search whose filter is bound from the query, as the DLQ's is: statuses and tags repeat, the name, the limit
	 * and the cursor do not. Answers what it was given.
	 */
	@GetMapping("/search")
	@PreAuthorize("hasRole('staff')")
	String search(@ParameterObject ThingFilter filter, @RequestParam(defaultValue = "50") int limit,
			@RequestParam(required = false) Optional<String> cursor,
			@RequestParam(required = false) @Nullable Set<String> sort) {
		return filter.status() + "|" + Arrays.toString(filter.tag()) + "|" + filter.name() + "|" + limit + "|"
				+ sort;
	}

	record ThingFilter(@Nullable List<String> status, String @Nullable [] tag, @Nullable String name) {
	}

	/** A path variable that converts (a UUID). */
	@GetMapping("/by-id/{id}")
	@PreAuthorize("hasRole('staff')")
	String byId(@PathVariable UUID id) {
		return id.toString();
	}

	/** An error sent as the servlet API sends one, which the container forwards to its error page. */
	@GetMapping("/send-error")
	@PreAuthorize("hasRole('staff')")
	void sendError(jakarta.servlet.http.HttpServletResponse response) throws java.io.IOException {
		response.sendError(409, "The thing is busy.");
	}

	/**
	 * For the OpenAPI document: an answer's header and a parameter that name no schema, patterns as Java's
	 * {@code @Pattern} writes them (on parameters, a body's fields and its list's items), an error answer in
	 * problem+json without a schema. Answers what it was given.
	 */
	@PostMapping("/patterned")
	@PreAuthorize("hasRole('staff')")
	@io.swagger.v3.oas.annotations.Operation(responses = {
			@io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", description = "Taken",
					headers = @io.swagger.v3.oas.annotations.headers.Header(name = "Location",
							description = "where it is")),
			@io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "409", description = "Busy",
					content = @io.swagger.v3.oas.annotations.media.Content(
							mediaType = "application/problem+json")) })
	@io.swagger.v3.oas.annotations.Parameter(name = "X-Note",
			in = io.swagger.v3.oas.annotations.enums.ParameterIn.HEADER, required = false)
	String patterned(@RequestParam @Pattern(regexp = "OPEN|CLOSED") String state,
			@RequestParam @Pattern(regexp = "(?i)json|csv") String format,
			@RequestParam @Pattern(regexp = "(?!\\.{1,2}$)[a-z.]{1,9}") String code,
			@RequestParam @Pattern(regexp = "^[a-z]+$") String word, @RequestBody Patterned body) {
		return state + "|" + format + "|" + code + "|" + word + "|" + body;
	}

	record Patterned(@Nullable @Pattern(regexp = "LOW|HIGH") String level,
			@Nullable List<@Pattern(regexp = "[0-9]+") String> numbers) {
	}

	/**
	 * Whole numbers with ranges of their own, narrower than their types': answers what it was given. The
	 * {@code stock} is not validated: it is the refusal of a number past its type, not the validation, that keeps
	 * it from being taken.
	 */
	@PostMapping("/sized")
	@PreAuthorize("hasRole('staff')")
	String sized(@Valid @RequestBody Sized body) {
		return body.toString();
	}

	record Sized(@NotNull @Min(1) @Max(1000) Integer capacity, @Nullable @Min(0) Integer partition,
			@Nullable @PositiveOrZero Long offset, @Nullable Integer count, @Nullable @Size(max = 3) String code,
			@Nullable @Max(10) Short shelf, @Nullable List<Integer> counts) {
	}

	@GetMapping("/boom")
	@PreAuthorize("hasRole('staff')")
	String boom() {
		throw new IllegalStateException("secret internal detail");
	}

}
