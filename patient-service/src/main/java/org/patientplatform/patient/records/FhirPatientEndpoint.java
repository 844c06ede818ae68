package org.patientplatform.patient.records;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Set;

import ca.uhn.fhir.context.FhirContext;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.extensions.Extension;
import io.swagger.v3.oas.annotations.extensions.ExtensionProperty;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.IdempotencyKeyFilter;
import org.patientplatform.kit.web.NotFoundException;
import org.patientplatform.kit.web.ProblemDetailsAdvice;
import org.patientplatform.kit.web.ProblemResponsesDocumented;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The patient records as FHIR R4 {@code Patient} resources ({@code application/fhir+json} or
 * {@code application/fhir+xml}, as the client asks with {@code _format} or {@code Accept}: {@link FhirFormat}; built
 * and written by HAPI FHIR), for portals and EHRs that speak FHIR: read by id, search (GET, or POST with a form
 * body) by name, birth date, gender, id or the MRN as an identifier ({@link FhirPatientSearch}), and the server's
 * capability statement. The same rules as the API: staff read any record, a patient only their own, and only staff
 * search; every read is audited ({@link PatientReads}). Errors of these operations are FHIR {@code OperationOutcome}s; a missing or invalid token
 * is answered by the platform's security layer, as problem+json. The capability statement alone needs no token.
 */
@RestController
@RequestMapping(path = FhirPatientEndpoint.BASE)
@ConditionalOnRole("app")
@Tag(name = "FHIR R4", description = "Patient records as FHIR R4 resources")
class FhirPatientEndpoint {

	static final String BASE = "/api/fhir/r4";

	/** The capability statement's path under {@link #BASE}, served without a token ({@link RecordsConfiguration}). */
	static final String METADATA = "/metadata";

	private final FhirContext fhir = FhirContext.forR4Cached();

	/** What this FHIR server serves, as its refusals say. */
	private static final String SERVED = "This server serves Patient (read: GET Patient/{id}; search: GET Patient?… "
			+ "or POST Patient/_search) and GET metadata only";

	/** FHIR's search by POST: the path, under {@link #BASE}, and the only media type its body is read in. */
	static final String SEARCH_BY_POST = "/Patient/_search";

	private static final MediaType FORM = MediaType.APPLICATION_FORM_URLENCODED;

	/** FHIR R4's code system of the ways a server's security is provided (rest.security.service). */
	private static final String RESTFUL_SECURITY_SERVICE = "http://terminology.hl7.org/CodeSystem/restful-security-service";

	/** What a read takes: the encoding of the answer ({@link FhirFormat}). */
	private static final Set<String> READ_PARAMETERS = Set.of("_format", "_pretty");

	private final PatientReads reads;

	private final String mrnSystem;

	/**
	 * The CapabilityStatement's date, when it was published: this instance's start (what it states changes only
	 * with a new release); it had been each request's time, as if the statement changed on every read.
	 */
	private final Instant published = Instant.now().truncatedTo(ChronoUnit.SECONDS);

	FhirPatientEndpoint(PatientReads reads,
			@Value("${patient.fhir.mrn-system:urn:patient-platform:mrn}") String mrnSystem) {
		this.reads = reads;
		this.mrnSystem = mrnSystem;
	}

	@GetMapping("/Patient/{id}")
	@ApiResponse(responseCode = "200", description = "A FHIR R4 Patient", content = {
			@Content(mediaType = "application/fhir+json", schema = @Schema(type = "object")),
			@Content(mediaType = "application/fhir+xml", schema = @Schema(type = "object")) })
	@SecurityRequirement(name = "bearer")
	@Operation(summary = "One patient as a FHIR R4 Patient; staff, or the patient themself",
			description = "404 OperationOutcome when there is no such patient (an id that is not a UUID names none).")
	ResponseEntity<String> read(@PathVariable String id, Authentication caller, HttpServletRequest request) {
		FhirFormat format = FhirFormat.of(request);
		if (id.startsWith("$")) {
			// an operation on the type (Patient/$everything), not a patient whose id it would be
			return outcome(HttpStatus.NOT_FOUND, OperationOutcome.IssueType.NOTSUPPORTED,
					"The operation " + id + " is not served. " + SERVED + ".", request);
		}
		for (String name : request.getParameterMap().keySet()) {
			if (!READ_PARAMETERS.contains(name)) {
				// as search refuses what it does not do: _elements=name answered with the whole resource would show
				// a client fields it did not ask for, as if it had
				return outcome(HttpStatus.BAD_REQUEST, OperationOutcome.IssueType.NOTSUPPORTED, "Parameter " + name
						+ " is not supported on a read, which takes _format and _pretty and answers the whole Patient.",
						request);
			}
		}
		return ok(FhirPatients.of(this.reads.read(id, caller), this.mrnSystem), format, request);
	}

	@GetMapping("/Patient")
	@ApiResponse(responseCode = "200", description = "A FHIR R4 Bundle of type searchset", content = {
			@Content(mediaType = "application/fhir+json", schema = @Schema(type = "object")),
			@Content(mediaType = "application/fhir+xml", schema = @Schema(type = "object")) })
	@SecurityRequirement(name = "bearer")
	@Operation(summary = "Search patients (staff): a searchset Bundle, ordered by family name, given name and id",
			description = "FHIR R4 search. identifier is [system|]value: the MRN, whose system, when given, must be "
					+ "patient.fhir.mrn-system (another system, or none as in |value, matches nothing). family, given "
					+ "and name (either) match a prefix of the name, whatever its case and the accents of Latin "
					+ "letters. birthdate is a day, a month or a year, with a prefix eq (default), ne, gt, ge, lt or "
					+ "le. gender is male, female, other or unknown. A parameter repeated must match each time; "
					+ "values separated by commas match any one. _count sets the page size (default 50, at most 200); "
					+ "the Bundle's next link holds the next page. At least one criterion; another parameter, or a "
					+ "modifier such as family:exact, is a 400 OperationOutcome that names it. Every patient shown is "
					+ "audited.")
	@Parameter(name = "identifier", in = ParameterIn.QUERY, description = "the MRN, as <system>|<value> or <value>",
			schema = @Schema(type = "string"))
	@Parameter(name = "family", in = ParameterIn.QUERY, description = "the start of the family name",
			schema = @Schema(type = "string"))
	@Parameter(name = "given", in = ParameterIn.QUERY, description = "the start of the given name",
			schema = @Schema(type = "string"))
	@Parameter(name = "name", in = ParameterIn.QUERY, description = "the start of the family or the given name",
			schema = @Schema(type = "string"))
	@Parameter(name = "birthdate", in = ParameterIn.QUERY,
			description = "[eq|ne|gt|ge|lt|le]YYYY[-MM[-DD]], e.g. 1815-12-10 or ge1940",
			schema = @Schema(type = "string"))
	@Parameter(name = "gender", in = ParameterIn.QUERY,
			description = "male, female, other or unknown; several, separated by commas, match any one",
			schema = @Schema(type = "string"))
	@Parameter(name = "_id", in = ParameterIn.QUERY, description = "the patient's id", schema = @Schema(type = "string"))
	@Parameter(name = "_count", in = ParameterIn.QUERY,
			description = "page size, 1 to 200 (default 50); a larger count is served as 200",
			schema = @Schema(type = "integer", minimum = "1", defaultValue = "50"))
	@Parameter(name = "_cursor", in = ParameterIn.QUERY,
			description = "the next page, as the next link gives it; a cursor of another search (other criteria) is a 400",
			schema = @Schema(type = "string"))
	ResponseEntity<String> search(Authentication caller, HttpServletRequest request) {
		FhirFormat format = FhirFormat.of(request);
		this.reads.requireSearchByCriteria(caller);
		FhirPatientSearch search;
		try {
			search = FhirPatientSearch.of(request.getParameterMap(), this.mrnSystem);
		}
		catch (FhirPatientSearch.Invalid ex) {
			return outcome(HttpStatus.BAD_REQUEST, ex.type(), ex.getMessage(), request);
		}
		int size = search.count();
		List<Patients.Found> found = this.reads.search(search.criteria(), search.names(), search.after(), size,
				caller);
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		bundle.getMeta().setLastUpdated(new Date());
		String base = ServletUriComponentsBuilder.fromCurrentContextPath().path(BASE).toUriString();
		bundle.addLink().setRelation("self").setUrl(search.link(base + "/Patient", search.cursorText()));
		if (found.size() > size) {
			bundle.addLink()
				.setRelation("next")
				.setUrl(search.link(base + "/Patient", search.cursor(found.get(size - 1).cursor())));
		}
		else if (search.after() == null) {
			// every match is on this page: the total is known without counting
			bundle.setTotal(found.size());
		}
		for (Patients.Found each : found.subList(0, Math.min(size, found.size()))) {
			org.hl7.fhir.r4.model.Patient resource = FhirPatients.of(each.patient(), this.mrnSystem);
			bundle.addEntry()
				.setFullUrl(base + "/Patient/" + resource.getIdElement().getIdPart())
				.setResource(resource)
				.getSearch()
				.setMode(Bundle.SearchEntryMode.MATCH);
		}
		return ok(bundle, format, request);
	}

	/**
	 * FHIR's other form of the same search (R4 3.1.0.8.1): the parameters in an
	 * {@code application/x-www-form-urlencoded} body, with any in the query, as clients send a search whose criteria
	 * should stay out of URLs and their logs (a name, a birth date, an MRN) or would make one too long. It was 405.
	 * The answer is GET's, its links GET URLs. {@code Idempotency-Key} is refused: a search changes nothing, and its
	 * answer, patients' records, is never to be kept outside their table.
	 */
	@PostMapping(SEARCH_BY_POST)
	@io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
			description = "The search's parameters, form-encoded, as GET Patient takes them in its query (identifier, "
					+ "family, given, name, birthdate, gender, _id, _count, _cursor, _format, _pretty); parameters "
					+ "in the query are added to them.",
			content = @Content(mediaType = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
					schema = @Schema(type = "object")))
	@ApiResponse(responseCode = "200", description = "A FHIR R4 Bundle of type searchset, as GET Patient answers",
			content = { @Content(mediaType = "application/fhir+json", schema = @Schema(type = "object")),
					@Content(mediaType = "application/fhir+xml", schema = @Schema(type = "object")) })
	@SecurityRequirement(name = "bearer")
	@Operation(summary = "Search patients (staff) with the parameters in a form-encoded body",
			description = "The search of GET Patient, for criteria kept out of the URL. A body in another media type "
					+ "is a 415 OperationOutcome. Idempotency-Key is refused (400): a search changes nothing, and its "
					+ "answer is never kept.",
			extensions = @Extension(properties = @ExtensionProperty(
					name = ProblemResponsesDocumented.IDEMPOTENCY_KEY_EXTENSION, value = "refused")))
	ResponseEntity<String> searchByPost(Authentication caller, HttpServletRequest request) {
		if (request.getHeader(IdempotencyKeyFilter.HEADER) != null) {
			return outcome(HttpStatus.BAD_REQUEST, OperationOutcome.IssueType.NOTSUPPORTED,
					"A search cannot carry " + IdempotencyKeyFilter.HEADER + ": it changes nothing, and its answer is "
							+ "never kept.", request);
		}
		MediaType type = contentType(request);
		if (type == null || !FORM.equalsTypeAndSubtype(type)) {
			return outcome(HttpStatus.UNSUPPORTED_MEDIA_TYPE, OperationOutcome.IssueType.NOTSUPPORTED,
					"POST Patient/_search takes its parameters as " + FORM + ", not "
							+ ((type != null) ? type : "a body without a Content-Type") + ".", request);
		}
		return search(caller, request);
	}

	private static @Nullable MediaType contentType(HttpServletRequest request) {
		try {
			return (request.getContentType() != null) ? MediaType.parseMediaType(request.getContentType()) : null;
		}
		catch (InvalidMediaTypeException ex) {
			return null;
		}
	}

	@GetMapping(METADATA)
	@ApiResponse(responseCode = "200", description = "A FHIR R4 CapabilityStatement", content = {
			@Content(mediaType = "application/fhir+json", schema = @Schema(type = "object")),
			@Content(mediaType = "application/fhir+xml", schema = @Schema(type = "object")) })
	// an empty list: served without a token (springdoc joins a class's requirement to a method's, so the other
	// operations name theirs)
	@SecurityRequirements
	@Operation(summary = "The FHIR server's capability statement; no token needed",
			description = "Served without a token, so that a client can discover the server and how to authenticate "
					+ "(rest.security) before it holds one. Takes _format, _pretty and mode=full (the whole statement, "
					+ "as without it); another mode or parameter is a 400 OperationOutcome that names it.")
	@Parameter(name = "mode", in = ParameterIn.QUERY, description = "full (the default); normative and terminology are "
			+ "not served", schema = @Schema(type = "string", allowableValues = "full"))
	ResponseEntity<String> metadata(HttpServletRequest request) {
		FhirFormat format = FhirFormat.of(request);
		for (String name : request.getParameterMap().keySet()) {
			if (!READ_PARAMETERS.contains(name) && !name.equals("mode")) {
				// as a read refuses what it does not do: _summary=true answered with the whole statement, or
				// mode=terminology with a CapabilityStatement, would be another answer than the one asked for
				return outcome(HttpStatus.BAD_REQUEST, OperationOutcome.IssueType.NOTSUPPORTED, "Parameter " + name
						+ " is not supported on metadata, which takes _format, _pretty and mode=full and answers the "
						+ "whole CapabilityStatement.", request);
			}
		}
		String[] modes = request.getParameterValues("mode");
		if (modes != null && modes.length > 1) {
			return outcome(HttpStatus.BAD_REQUEST, OperationOutcome.IssueType.INVALID,
					"mode is given " + modes.length + " times; give it once", request);
		}
		String mode = (modes != null) ? modes[0].strip() : "";
		if (mode.equals("normative") || mode.equals("terminology")) {
			return outcome(HttpStatus.BAD_REQUEST, OperationOutcome.IssueType.NOTSUPPORTED, "mode=" + mode
					+ " is not supported: this server answers metadata with its whole CapabilityStatement (mode=full).",
					request);
		}
		if (!mode.isEmpty() && !mode.equals("full")) {
			return outcome(HttpStatus.BAD_REQUEST, OperationOutcome.IssueType.INVALID,
					"mode is full, normative or terminology (this server serves full)", request);
		}
		CapabilityStatement statement = new CapabilityStatement();
		statement.setStatus(Enumerations.PublicationStatus.ACTIVE)
			.setDate(Date.from(this.published))
			.setKind(CapabilityStatement.CapabilityStatementKind.INSTANCE)
			.setFhirVersion(Enumerations.FHIRVersion._4_0_1)
			.addFormat("json")
			.addFormat("xml")
			.setPublisher("patient-platform")
			.getImplementation()
			.setDescription("patient-service: patient records from the LIS")
			.setUrl(ServletUriComponentsBuilder.fromCurrentContextPath().path(BASE).toUriString());
		CapabilityStatement.CapabilityStatementRestComponent rest = statement.addRest()
			.setMode(CapabilityStatement.RestfulCapabilityMode.SERVER);
		// every interaction but this statement needs the platform's token: an OAuth 2.0 bearer access token (a JWT)
		// from its identity provider, which this server only verifies (it issues none, so it names no endpoint to get
		// one from, as SMART on FHIR's oauth-uris would)
		rest.getSecurity()
			.setCors(false)
			.setDescription("Every interaction but this CapabilityStatement requires an OAuth 2.0 bearer access token "
					+ "(a JWT signed RS256, in the Authorization header) from the platform's identity provider: role "
					+ "staff reads and searches any patient, role patient reads only their own record (claim "
					+ "patient_id). A missing or invalid token is answered 401.")
			.addService()
			.addCoding(new Coding(RESTFUL_SECURITY_SERVICE, "OAuth", "OAuth2 Token"));
		CapabilityStatement.CapabilityStatementRestResourceComponent patients = rest.addResource().setType("Patient");
		patients.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.READ);
		patients.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.SEARCHTYPE);
		searchParam(patients, "identifier", Enumerations.SearchParamType.TOKEN, "The MRN, system " + this.mrnSystem);
		searchParam(patients, "family", Enumerations.SearchParamType.STRING,
				"The start of the family name, whatever its case and accents");
		searchParam(patients, "given", Enumerations.SearchParamType.STRING,
				"The start of the given name, whatever its case and accents");
		searchParam(patients, "name", Enumerations.SearchParamType.STRING, "The start of the family or the given name");
		searchParam(patients, "birthdate", Enumerations.SearchParamType.DATE,
				"A day, month or year, with eq, ne, gt, ge, lt or le");
		searchParam(patients, "gender", Enumerations.SearchParamType.TOKEN, "male, female, other or unknown");
		searchParam(patients, "_id", Enumerations.SearchParamType.TOKEN, "The patient's id");
		return ok(statement, format, request);
	}

	private static void searchParam(CapabilityStatement.CapabilityStatementRestResourceComponent resource, String name,
			Enumerations.SearchParamType type, String documentation) {
		resource.addSearchParam().setName(name).setType(type).setDocumentation(documentation);
	}

	/**
	 * Whatever else is asked under the FHIR base: an OperationOutcome, as a FHIR client reads errors, not the
	 * platform's problem+json ("No static resource …"). A method this server does not serve on a path it serves
	 * is 405 with {@code Allow}; any other path (a resource type, an interaction such as {@code _history}) is 404,
	 * naming what is served.
	 */
	@RequestMapping("/**")
	@Hidden
	ResponseEntity<String> notServed(HttpServletRequest request) {
		String path = request.getRequestURI().substring(request.getContextPath().length() + BASE.length());
		boolean served = path.equals("/Patient") || path.matches("/Patient/[^/]+") || path.equals("/metadata");
		if (served) {
			ResponseEntity<String> refused = outcome(HttpStatus.METHOD_NOT_ALLOWED, OperationOutcome.IssueType.NOTSUPPORTED,
					request.getMethod() + " is not served here. " + SERVED + ".", request);
			return ResponseEntity.status(refused.getStatusCode())
				.headers(refused.getHeaders())
				// Patient/_search is also a read of a patient whose id would be _search (none is: ids are UUIDs)
				.header(HttpHeaders.ALLOW, path.equals(SEARCH_BY_POST) ? "GET, POST" : "GET")
				.body(refused.getBody());
		}
		return outcome(HttpStatus.NOT_FOUND, OperationOutcome.IssueType.NOTSUPPORTED,
				"Nothing is served at this path. " + SERVED + ".", request);
	}

	@ExceptionHandler(NotFoundException.class)
	ResponseEntity<String> notFound(NotFoundException ex, HttpServletRequest request) {
		return outcome(HttpStatus.NOT_FOUND, OperationOutcome.IssueType.NOTFOUND, ex.getMessage(), request);
	}

	@ExceptionHandler(AccessDeniedException.class)
	ResponseEntity<String> forbidden(AccessDeniedException ex, HttpServletRequest request) {
		return outcome(HttpStatus.FORBIDDEN, OperationOutcome.IssueType.FORBIDDEN, ex.getMessage(), request);
	}

	@ExceptionHandler(FhirFormat.Unsupported.class)
	ResponseEntity<String> notAcceptable(FhirFormat.Unsupported ex, HttpServletRequest request) {
		return outcome(HttpStatus.NOT_ACCEPTABLE, OperationOutcome.IssueType.NOTSUPPORTED, ex.getMessage(), request);
	}

	@ExceptionHandler(FhirFormat.Invalid.class)
	ResponseEntity<String> invalidFormat(FhirFormat.Invalid ex, HttpServletRequest request) {
		return outcome(HttpStatus.BAD_REQUEST, OperationOutcome.IssueType.INVALID, ex.getMessage(), request);
	}

	/**
	 * A query parameter the servlet container could not percent-decode ({@code ?name=%ff}): a 400 OperationOutcome
	 * saying so, as every other bad FHIR input is (it was the platform's problem+json). Its message quotes the value,
	 * so it is neither told nor logged; the answer is JSON, as {@code _format} cannot be read either.
	 */
	@ExceptionHandler(InvalidParameterException.class)
	ResponseEntity<String> badlyEncodedParameter(InvalidParameterException ex) {
		return ResponseEntity.status(HttpStatus.BAD_REQUEST)
			.contentType(FhirFormat.JSON.mediaType())
			.body(this.fhir.newJsonParser()
				.encodeResourceToString(FhirProblems.outcome(HttpStatus.BAD_REQUEST.value(),
						ProblemDetailsAdvice.unreadableParameterDetail(ex))));
	}

	/** An OperationOutcome in the encoding asked for (JSON when that was not one this server writes). */
	private ResponseEntity<String> outcome(HttpStatus status, OperationOutcome.IssueType type,
			@Nullable String diagnostics, HttpServletRequest request) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.ERROR)
			.setCode(type)
			.setDiagnostics((diagnostics != null) ? diagnostics : status.getReasonPhrase());
		return answer(ResponseEntity.status(status), outcome, FhirFormat.orJson(request), request);
	}

	private ResponseEntity<String> ok(IBaseResource resource, FhirFormat format, HttpServletRequest request) {
		return answer(ResponseEntity.ok(), resource, format, request);
	}

	private ResponseEntity<String> answer(ResponseEntity.BodyBuilder builder, IBaseResource resource,
			FhirFormat format, HttpServletRequest request) {
		return builder.contentType(format.mediaType())
			.header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
			.body(format.writer(this.fhir, request).encodeResourceToString(resource));
	}

}
