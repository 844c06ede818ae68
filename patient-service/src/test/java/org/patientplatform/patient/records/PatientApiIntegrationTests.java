package org.patientplatform.patient.records;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.jspecify.annotations.Nullable;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.patient.PatientIntegrationTest;
import org.patientplatform.patient.orders.LinkTestOrders;
import org.patientplatform.patient.orders.RecordTestResults;
import org.patientplatform.patient.orders.TestOrderStatus;
import org.patientplatform.patient.orders.TestOrders;
import org.patientplatform.patient.records.RecordDemographics.Outcome;
import org.patientplatform.patient.records.RecordDemographics.Part;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

@PatientIntegrationTest
class PatientApiIntegrationTests {

	static final String FHIR = "/api/fhir/r4";

	@Autowired
	Patients patients;

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JsonMapper json;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	TestOrders orders;

	@LocalServerPort
	int port;

	RestClient api;

	PatientId ada;

	PatientId grace;

	@BeforeEach
	void setUp() {
		this.api = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
		this.ada = register("API-ADA", "Ada", "Lovelace");
		this.grace = register("API-GRACE", "Grace", "Hopper");
	}

	@Test
	void servesDemographicsToStaff() {
		ResponseEntity<String> response = get("/api/v1/patients/" + this.ada, token(List.of("staff"), null));

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		Map<String, Object> body = body(response);
		assertThat(body).containsEntry("id", this.ada.toString())
			.containsEntry("mrn", "API-ADA")
			.containsEntry("givenName", "Ada")
			.containsEntry("familyName", "Lovelace")
			.containsEntry("birthDate", "1815-12-10")
			.containsEntry("sex", "FEMALE")
			.containsEntry("phone", "+44 20 79460123")
			.containsEntry("email", "ada@example.org")
			.containsEntry("language", "en-GB")
			.containsKeys("createdAt", "updatedAt");
		assertThat(body.get("address")).asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsOnlyKeys("street", "otherDesignation", "city", "state", "postalCode", "country")
			.containsEntry("street", "12 Analytical Row")
			.containsEntry("city", "London")
			.containsEntry("postalCode", "N1 9GU")
			.containsEntry("country", "GBR");
	}

	@Test
	void auditsEveryReadOfPatientDataWithIdsOnly() {
		long before = this.jdbc.queryForObject("SELECT coalesce(max(id), 0) FROM audit_log", Long.class);
		UUID unknown = UUID.randomUUID();
		get("/api/v1/patients/" + this.ada, token(List.of("staff"), null));
		get("/api/v1/patients/" + this.ada, token(List.of("patient"), this.grace.toString()));
		// denied by role and reads of what does not exist are traces of probing too (before: not audited)
		get("/api/v1/patients/" + this.ada, token(List.of("ops"), null));
		get("/api/v1/patients/" + unknown, token(List.of("staff"), null));
		get("/api/v1/patients?mrn=API-ADA", token(List.of("service"), null));
		get("/api/v1/patients?mrn=API-NOBODY", token(List.of("staff"), null));
		get("/api/v1/patients?mrn=API-GRACE", token(List.of("staff"), null));

		List<Map<String, Object>> rows = this.jdbc.queryForList(
				"SELECT actor_role, action, resource_type, resource_id, outcome, reason FROM audit_log "
						+ "WHERE resource_type = 'patient' AND id > ? ORDER BY id",
				before);
		assertThat(rows).extracting((row) -> row.get("actor_role") + " " + row.get("action") + " "
				+ row.get("resource_id") + " " + row.get("outcome"))
			.containsExactly("staff read " + this.ada + " OK", "patient read " + this.ada + " DENIED",
					"ops read " + this.ada + " DENIED", "staff read " + unknown + " NOT_FOUND",
					"service search-by-mrn null DENIED", "staff search-by-mrn null NOT_FOUND",
					"staff search-by-mrn " + this.grace + " OK");
		assertThat(rows.toString()).doesNotContain("Ada").doesNotContain("Lovelace").doesNotContain("API-");
	}

	@Test
	void findsPatientByMedicalRecordNumberForStaff() {
		ResponseEntity<String> response = get("/api/v1/patients?mrn=API-GRACE", token(List.of("staff"), null));

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(body(response)).containsEntry("id", this.grace.toString()).containsEntry("familyName", "Hopper");
	}

	@Test
	void answersNotFoundAsProblemJsonForUnknownIdAndUnknownMrn() {
		UUID unknown = UUID.randomUUID();
		ResponseEntity<String> byId = get("/api/v1/patients/" + unknown, token(List.of("staff"), null));
		assertProblem(byId, 404);
		assertThat(body(byId)).containsEntry("detail", "No patient " + unknown);

		ResponseEntity<String> byMrn = get("/api/v1/patients?mrn=NOBODY-42", token(List.of("staff"), null));
		assertProblem(byMrn, 404);
		assertThat(byMrn.getBody()).doesNotContain("NOBODY-42");
		// no medical record number is a bad request, not an unknown patient (before: 404)
		ResponseEntity<String> blank = get("/api/v1/patients?mrn=", token(List.of("staff"), null));
		assertProblem(blank, 400);
		assertThat(blank.getBody()).contains("\"field\":\"mrn\"").contains("/api/fhir/r4/Patient?family=");
	}

	@Test
	void answersBadRequestAsProblemJsonForAnIdThatIsNoUuid() {
		assertProblem(get("/api/v1/patients/not-a-uuid", token(List.of("staff"), null)), 400);
	}

	@Test
	void letsAPatientReadTheirOwnRecord() {
		ResponseEntity<String> response = get("/api/v1/patients/" + this.ada,
				token(List.of("patient"), this.ada.toString()));

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(body(response)).containsEntry("id", this.ada.toString()).containsEntry("familyName", "Lovelace");
	}

	@Test
	void forbidsAPatientReadingAnotherPatientsRecord() {
		ResponseEntity<String> response = get("/api/v1/patients/" + this.grace,
				token(List.of("patient"), this.ada.toString()));

		assertProblem(response, 403);
		assertThat(response.getBody()).doesNotContain("Hopper");
	}

	@Test
	void forbidsAPatientWithoutPatientIdClaim() {
		assertProblem(get("/api/v1/patients/" + this.ada, token(List.of("patient"), null)), 403);
	}

	@Test
	void forbidsAPatientSearchingByMedicalRecordNumber() {
		assertProblem(get("/api/v1/patients?mrn=API-ADA", token(List.of("patient"), this.ada.toString())), 403);
	}

	@Test
	void forbidsWrongRole() {
		assertProblem(get("/api/v1/patients/" + this.ada, token(List.of("ops"), null)), 403);
		assertProblem(get("/api/v1/patients?mrn=API-ADA", token(List.of("service"), null)), 403);
	}

	@Test
	void rejectsMissingToken() {
		assertProblem(get("/api/v1/patients/" + this.ada, null), 401);
	}

	@Test
	void rejectsExpiredToken() {
		String expired = this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(-10));
		assertProblem(get("/api/v1/patients/" + this.ada, expired), 401);
	}

	@Test
	void rejectsTokenSignedByAnotherKey() {
		String foreign = LocalSigningKey.generate("https://tests.patient-platform.local")
			.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
		assertProblem(get("/api/v1/patients/" + this.ada, foreign), 401);
	}

	@Test
	void servesARecordAsAFhirR4PatientThatHapiFhirReads() {
		long before = this.jdbc.queryForObject("SELECT coalesce(max(id), 0) FROM audit_log", Long.class);
		ResponseEntity<String> response = get(FHIR + "/Patient/" + this.ada, token(List.of("staff"), null));

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(response.getHeaders().getContentType()).isNotNull()
			.satisfies((type) -> assertThat(type.isCompatibleWith(MediaType.parseMediaType("application/fhir+json")))
				.isTrue());
		org.hl7.fhir.r4.model.Patient patient = fhirParser()
			.parseResource(org.hl7.fhir.r4.model.Patient.class, response.getBody());
		assertThat(patient.getIdElement().getIdPart()).isEqualTo(this.ada.toString());
		assertThat(patient.getMeta().getLastUpdated()).isNotNull();
		assertThat(patient.getIdentifier()).singleElement().satisfies((identifier) -> {
			assertThat(identifier.getSystem()).isEqualTo("urn:patient-platform:mrn");
			assertThat(identifier.getValue()).isEqualTo("API-ADA");
			assertThat(identifier.getType().getCodingFirstRep().getCode()).isEqualTo("MR");
			assertThat(identifier.getType().getCodingFirstRep().getSystem())
				.isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0203");
		});
		assertThat(patient.getNameFirstRep().getFamily()).isEqualTo("Lovelace");
		assertThat(patient.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Ada");
		assertThat(patient.getGender()).isEqualTo(Enumerations.AdministrativeGender.FEMALE);
		assertThat(patient.getBirthDateElement().getValueAsString()).isEqualTo("1815-12-10");
		assertThat(patient.getTelecom()).extracting((telecom) -> telecom.getSystem().toCode() + " " + telecom.getValue())
			.containsExactly("phone +44 20 79460123", "email ada@example.org");
		assertThat(patient.getAddressFirstRep().getLine()).extracting(Object::toString)
			.containsExactly("12 Analytical Row");
		assertThat(patient.getAddressFirstRep().getCity()).isEqualTo("London");
		assertThat(patient.getAddressFirstRep().getPostalCode()).isEqualTo("N1 9GU");
		assertThat(patient.getAddressFirstRep().getCountry()).isEqualTo("GBR");
		assertThat(patient.getCommunicationFirstRep().getLanguage().getCodingFirstRep().getCode()).isEqualTo("en-GB");
		// audited as the API's reads are
		assertThat(this.jdbc.queryForList("SELECT actor_role || ' ' || action || ' ' || resource_id || ' ' || outcome "
				+ "FROM audit_log WHERE resource_type = 'patient' AND id > ? ORDER BY id", String.class, before))
			.containsExactly("staff read " + this.ada + " OK");
	}

	@Test
	void letsAPatientReadTheirOwnFhirRecordAndNoOneElses() {
		String ownToken = token(List.of("patient"), this.grace.toString());
		ResponseEntity<String> own = get(FHIR + "/Patient/" + this.grace, ownToken);
		assertThat(own.getStatusCode().value()).isEqualTo(200);
		assertThat(fhirParser().parseResource(org.hl7.fhir.r4.model.Patient.class, own.getBody())
			.getNameFirstRep()
			.getFamily()).isEqualTo("Hopper");

		assertOutcome(get(FHIR + "/Patient/" + this.ada, ownToken), 403, OperationOutcome.IssueType.FORBIDDEN);
		assertOutcome(get(FHIR + "/Patient?identifier=API-ADA", ownToken), 403, OperationOutcome.IssueType.FORBIDDEN);
		assertProblem(get(FHIR + "/Patient/" + this.ada, null), 401);
	}

	@Test
	void answersAnUnknownFhirPatientWithAnOperationOutcome() {
		String staff = token(List.of("staff"), null);
		assertOutcome(get(FHIR + "/Patient/" + UUID.randomUUID(), staff), 404, OperationOutcome.IssueType.NOTFOUND);
		// a FHIR id is any string: one that is no UUID names no patient here
		assertOutcome(get(FHIR + "/Patient/not-a-uuid", staff), 404, OperationOutcome.IssueType.NOTFOUND);
		assertOutcome(get(FHIR + "/Patient", staff), 400, OperationOutcome.IssueType.REQUIRED);
	}

	@Test
	void answersWhatIsRefusedBeforeTheFhirOperationRunsWithAnOperationOutcome() {
		String staff = token(List.of("staff"), null);
		// a query parameter that is not validly percent-encoded UTF-8: it was the platform's problem+json
		for (String query : List.of("name=%ff", "family=Ada%ff%feLovelace", "_format=%ff")) {
			ResponseEntity<String> refused = getRaw(FHIR + "/Patient?" + query, staff);
			assertOutcome(refused, 400, OperationOutcome.IssueType.INVALID);
			assertThat(fhirParser().parseResource(OperationOutcome.class, refused.getBody()).getIssueFirstRep()
				.getDiagnostics()).as(query).contains("not validly percent-encoded UTF-8").doesNotContain("Lovelace");
		}
		// a path the firewall refuses, before any token is read
		for (String token : java.util.Arrays.asList(staff, null)) {
			ResponseEntity<String> refused = getRaw(FHIR + "//Patient", token);
			assertOutcome(refused, 400, OperationOutcome.IssueType.INVALID);
			assertThat(refused.getBody()).contains("path is not allowed");
		}
		// a missing token is still the security layer's problem+json, and the API's errors are problem+json still
		ResponseEntity<String> anonymous = getRaw(FHIR + "/Patient?name=%ff", null);
		assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
		assertThat(anonymous.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		for (String path : List.of("/api/v1/patients?mrn=%ff", "/api/v1//patients")) {
			ResponseEntity<String> api = getRaw(path, staff);
			assertThat(api.getStatusCode().value()).as(path).isEqualTo(400);
			assertThat(api.getHeaders().getContentType()).as(path).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		}
	}

	/** A GET of the URI as it is written, its percent escapes not encoded again. */
	private ResponseEntity<String> getRaw(String uri, @Nullable String token) {
		var request = this.api.get().uri(java.net.URI.create("http://127.0.0.1:" + this.port + uri));
		if (token != null) {
			request = request.header("Authorization", "Bearer " + token);
		}
		return request.retrieve().toEntity(String.class);
	}

	@Test
	void searchesFhirPatientsByTheirMrnAsAnIdentifier() {
		String staff = token(List.of("staff"), null);
		for (String identifier : List.of("urn:patient-platform:mrn|API-GRACE", "API-GRACE")) {
			ResponseEntity<String> response = get(FHIR + "/Patient?identifier=" + identifier, staff);
			assertThat(response.getStatusCode().value()).as(identifier).isEqualTo(200);
			Bundle bundle = fhirParser().parseResource(Bundle.class, response.getBody());
			assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
			assertThat(bundle.getTotal()).as(identifier).isEqualTo(1);
			assertThat(bundle.getEntryFirstRep().getFullUrl()).endsWith(FHIR + "/Patient/" + this.grace);
			assertThat(((org.hl7.fhir.r4.model.Patient) bundle.getEntryFirstRep().getResource()).getIdElement()
				.getIdPart()).isEqualTo(this.grace.toString());
		}
		// another system, or none at all (|value), is not the MRNs'
		for (String identifier : List.of("urn:other-lab:mrn|API-GRACE", "|API-GRACE", "API-NOBODY")) {
			Bundle none = fhirParser().parseResource(Bundle.class,
					get(FHIR + "/Patient?identifier=" + identifier, staff).getBody());
			assertThat(none.getTotal()).as(identifier).isZero();
			assertThat(none.getEntry()).isEmpty();
		}
	}

	@Test
	void searchesByASystemAndMrnWrittenWithAPlainBarAsFhirClientsAndCurlSendIt() throws Exception {
		// FHIR writes a token search as system|value; curl and many clients send the bar as it is, not as %7C
		String request = "GET " + FHIR + "/Patient?identifier=urn:patient-platform:mrn|API-GRACE HTTP/1.1\r\n"
				+ "Host: 127.0.0.1:" + this.port + "\r\nAuthorization: Bearer " + token(List.of("staff"), null)
				+ "\r\nAccept: application/fhir+json\r\nConnection: close\r\n\r\n";
		String response;
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		assertThat(response).startsWith("HTTP/1.1 200");
		assertThat(response).contains("\"total\":1").contains(this.grace.toString());
	}

	@Test
	void findsValuesThatHoldABarACommaOrABackslashWrittenWithFhirsEscapes() {
		// only \, was read: C\|D was cut at its bar and found nothing, E\\G searched for E\\G, not the MRN E\G
		String suffix = UUID.randomUUID().toString();
		PatientId bar = register("C|D-" + suffix, "Ada", "Lovelace");
		PatientId backslash = register("E\\G-" + suffix, "Ada", "Lovelace");
		PatientId comma = register("A,B-" + suffix, "Ada", "Lovelace");
		PatientId dangelo = register("API-ESC-" + suffix, "Ada", "D\\Angelo-" + suffix);
		String staff = token(List.of("staff"), null);
		// the client sends \ as %5C and | as %7C (RestClient encodes them)
		assertThat(ids(search("identifier=C\\|D-" + suffix, staff))).containsExactly(bar);
		assertThat(ids(search("identifier=urn:patient-platform:mrn|C\\|D-" + suffix, staff))).containsExactly(bar);
		assertThat(ids(search("identifier=E\\\\G-" + suffix, staff))).containsExactly(backslash);
		assertThat(ids(search("identifier=urn:patient-platform:mrn|E\\\\G-" + suffix, staff)))
			.containsExactly(backslash);
		assertThat(ids(search("identifier=A\\,B-" + suffix, staff))).containsExactly(comma);
		assertThat(ids(search("family=d\\\\angelo-" + suffix, staff))).containsExactly(dangelo);
		// an escaped backslash, then a comma that separates two values
		assertThat(ids(search("family=nobody\\\\,d\\\\angelo-" + suffix, staff))).containsExactly(dangelo);
		assertThat(ids(search("identifier=C\\|D-" + suffix + ",E\\\\G-" + suffix, staff)))
			.containsExactlyInAnyOrder(bar, backslash);
		// the bar unescaped separates a system (C, not the MRNs') from its value
		assertThat(ids(search("identifier=C|D-" + suffix, staff))).isEmpty();
		// a backslash that escapes nothing is refused, not searched for as it is: E\G found E\G
		for (String query : List.of("identifier=E\\G-" + suffix, "family=d\\angelo", "family=dangelo\\")) {
			ResponseEntity<String> refused = get(FHIR + "/Patient?" + query, staff);
			assertOutcome(refused, 400, OperationOutcome.IssueType.INVALID);
			assertThat(refused.getBody()).as(query).contains("holds a backslash that escapes nothing");
		}
		// the next link keeps the escapes, and its page finds the same patients
		Bundle first = search("identifier=C\\|D-" + suffix + ",E\\\\G-" + suffix + ",A\\,B-" + suffix + "&_count=2",
				staff);
		assertThat(ids(first)).hasSize(2);
		ResponseEntity<String> page = this.api.get()
			.uri(java.net.URI.create(first.getLink("next").getUrl()))
			.header("Authorization", "Bearer " + staff)
			.retrieve()
			.toEntity(String.class);
		assertThat(page.getStatusCode().value()).as(page.getBody()).isEqualTo(200);
		assertThat(ids(fhirParser().parseResource(Bundle.class, page.getBody()))).hasSize(1)
			.doesNotContainAnyElementsOf(ids(first));
	}

	@Test
	void describesTheFhirServerInItsCapabilityStatement() {
		ResponseEntity<String> response = get(FHIR + "/metadata", token(List.of("staff"), null));
		assertThat(response.getStatusCode().value()).isEqualTo(200);
		CapabilityStatement statement = fhirParser().parseResource(CapabilityStatement.class, response.getBody());
		assertThat(statement.getFhirVersion()).isEqualTo(Enumerations.FHIRVersion._4_0_1);
		assertThat(statement.getRestFirstRep().getResource()).singleElement().satisfies((resource) -> {
			assertThat(resource.getType()).isEqualTo("Patient");
			assertThat(resource.getInteraction()).extracting((interaction) -> interaction.getCode().toCode())
				.containsExactly("read", "search-type");
			assertThat(resource.getSearchParam()).extracting((param) -> param.getName() + ":" + param.getType().toCode())
				.containsExactly("identifier:token", "family:string", "given:string", "name:string", "birthdate:date",
						"gender:token", "_id:token");
		});
		assertThat(statement.getFormat()).extracting(Object::toString).containsExactly("json", "xml");
	}

	@Test
	void servesTheCapabilityStatementWithoutATokenAndNothingElseUnderTheFhirBase() {
		// FHIR servers serve it to anyone: a client discovers the server and how to authenticate before it holds a
		// token (it needed one)
		ResponseEntity<String> anonymous = get(FHIR + "/metadata", null);
		assertThat(anonymous.getStatusCode().value()).isEqualTo(200);
		assertFhirType(anonymous, "application/fhir+json");
		CapabilityStatement statement = fhirParser().parseResource(CapabilityStatement.class, anonymous.getBody());
		assertThat(statement.getFhirVersion()).isEqualTo(Enumerations.FHIRVersion._4_0_1);
		assertThat(statement.getRestFirstRep().getResourceFirstRep().getType()).isEqualTo("Patient");
		// the statement says how to authenticate for the rest
		CapabilityStatement.CapabilityStatementRestSecurityComponent security = statement.getRestFirstRep()
			.getSecurity();
		assertThat(security.getService()).singleElement()
			.satisfies((service) -> assertThat(service.getCoding()).singleElement().satisfies((coding) -> {
				assertThat(coding.getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/restful-security-service");
				assertThat(coding.getCode()).isEqualTo("OAuth");
			}));
		assertThat(security.getDescription()).contains("bearer", "staff", "patient");
		// its parameters, and HEAD, as with a token; a stale token does not keep a client from it
		sleepPastTheSecond();
		CapabilityStatement xml = FhirContext.forR4Cached()
			.newXmlParser()
			.parseResource(CapabilityStatement.class, get(FHIR + "/metadata?_format=xml&_pretty=true", null).getBody());
		assertThat(xml.getRestFirstRep().getSecurity().getServiceFirstRep().getCodingFirstRep().getCode())
			.isEqualTo("OAuth");
		// its date is when it was published, not each read's time (a second later, the same)
		assertThat(xml.getDate()).isEqualTo(statement.getDate());
		assertThat(get(FHIR + "/metadata?mode=full", null).getStatusCode().value()).isEqualTo(200);
		assertThat(get(FHIR + "/metadata", "expired.or.foreign").getStatusCode().value()).isEqualTo(200);
		assertThat(this.api.head().uri(FHIR + "/metadata").retrieve().toBodilessEntity().getStatusCode().value())
			.isEqualTo(200);
		assertOutcome(get(FHIR + "/metadata?_summary=true", null), 400, OperationOutcome.IssueType.NOTSUPPORTED);
		assertOutcome(get(FHIR + "/metadata?mode=everything", null), 400, OperationOutcome.IssueType.INVALID);
		// every other path under the FHIR base, and another method on this one, still needs a token (problem+json)
		for (String path : List.of("/Patient/" + this.ada, "/Patient?identifier=API-ADA", "/Patient?family=Love",
				"/Patient", "/Observation", "/Patient/$everything", "/metadata/", "/metadata/x", "/metadatax", "")) {
			assertProblem(get(FHIR + path, null), 401);
		}
		assertProblem(this.api.post().uri(FHIR + "/metadata").retrieve().toEntity(String.class), 401);
		assertProblem(this.api.delete().uri(FHIR + "/metadata").retrieve().toEntity(String.class), 401);
		assertProblem(get("/api/v1/patients/" + this.ada, null), 401);
	}

	@Test
	void servesFhirAsXmlWhenTheClientAsksForItByFormatOrAccept() {
		String staff = token(List.of("staff"), null);
		IParser xml = FhirContext.forR4Cached().newXmlParser();
		for (String accept : List.of("application/fhir+xml", "application/xml", "text/xml",
				"application/fhir+json;q=0.5, application/fhir+xml")) {
			ResponseEntity<String> response = get(FHIR + "/Patient/" + this.ada, staff, accept);
			assertThat(response.getStatusCode().value()).as(accept).isEqualTo(200);
			assertFhirType(response, "application/fhir+xml");
			assertThat(response.getBody()).startsWith("<Patient xmlns=\"http://hl7.org/fhir\">");
			assertThat(xml.parseResource(org.hl7.fhir.r4.model.Patient.class, response.getBody())
				.getNameFirstRep()
				.getFamily()).as(accept).isEqualTo("Lovelace");
		}
		// _format wins over Accept, and takes the short names and the MIME types
		ResponseEntity<String> byFormat = get(FHIR + "/Patient?identifier=API-ADA&_format=xml", staff,
				"application/fhir+json");
		assertFhirType(byFormat, "application/fhir+xml");
		assertThat(xml.parseResource(Bundle.class, byFormat.getBody()).getTotal()).isEqualTo(1);
		assertFhirType(get(FHIR + "/metadata?_format=application/fhir+xml", staff, null), "application/fhir+xml");
		assertFhirType(get(FHIR + "/Patient/" + this.ada + "?_format=json", staff, "application/fhir+xml"),
				"application/fhir+json");
		// JSON when preferred, when anything goes, or when nothing is said
		for (String accept : List.of("application/fhir+json", "application/fhir+xml;q=0.4, application/json;q=0.8",
				"*/*")) {
			assertFhirType(get(FHIR + "/Patient/" + this.ada, staff, accept), "application/fhir+json");
		}
		// errors in the encoding asked for
		ResponseEntity<String> missing = get(FHIR + "/Patient/" + UUID.randomUUID() + "?_format=xml", staff, null);
		assertThat(missing.getStatusCode().value()).isEqualTo(404);
		assertFhirType(missing, "application/fhir+xml");
		assertThat(xml.parseResource(OperationOutcome.class, missing.getBody()).getIssueFirstRep().getCode())
			.isEqualTo(OperationOutcome.IssueType.NOTFOUND);
		// an encoding this server does not write: 406, said in JSON
		ResponseEntity<String> turtle = get(FHIR + "/Patient/" + this.ada + "?_format=ttl", staff, null);
		assertOutcome(turtle, 406, OperationOutcome.IssueType.NOTSUPPORTED);
		assertThat(turtle.getBody()).contains("_format ttl");
		// _pretty=true indents
		assertThat(get(FHIR + "/Patient/" + this.ada + "?_pretty=true", staff, null).getBody()).contains("\n  ");
		assertThat(get(FHIR + "/Patient/" + this.ada, staff, null).getBody()).doesNotContain("\n");
	}

	@Test
	void servesAsXmlARecordStoredWithControlCharactersWithoutThem() {
		// a row the LIS reader stored before it kept the control characters of HL7 escapes (\X1B\, \X0D\X0A\) out:
		// HAPI FHIR refused to write it as XML (XML 1.0 cannot hold them) and the read failed
		PatientId stored = register("API-CTRL", "Ada", "Lovelace");
		this.jdbc.update("UPDATE patient SET family_name = ?, given_name = ?, address_street = ? WHERE id = ?",
				"Love\u001Blace", "Ada\u0007", "1 Main St\r\nApt 2", stored.value());

		ResponseEntity<String> response = get(FHIR + "/Patient/" + stored + "?_format=xml",
				token(List.of("staff"), null), null);

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		org.hl7.fhir.r4.model.Patient patient = FhirContext.forR4Cached()
			.newXmlParser()
			.parseResource(org.hl7.fhir.r4.model.Patient.class, response.getBody());
		assertThat(patient.getNameFirstRep().getFamily()).isEqualTo("Lovelace");
		assertThat(patient.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Ada");
		assertThat(patient.getAddressFirstRep().getLine()).extracting((line) -> line.getValue())
			.containsExactly("1 Main St Apt 2");
	}

	@Test
	void servesFhirResourcesThatTheR4ProfilesValidate() {
		// HAPI FHIR's instance validator with the R4 core profiles and code systems: what a FHIR client checks
		String staff = token(List.of("staff"), null);
		// a record with the least the LIS may state: an MRN and nothing else
		PatientId sparse = this.patients.record(new RecordDemographics("API-SPARSE", null, null, null, Sex.AMBIGUOUS,
				null, null, new PostalAddress(null, null, "London", null, null, null), null, EnumSet.allOf(Part.class),
				Instant.now(), "API-" + UUID.randomUUID())).patientId();
		List<String> served = new java.util.ArrayList<>();
		for (String format : List.of("json", "xml")) {
			served.add(FHIR + "/Patient/" + this.ada + "?_format=" + format);
			served.add(FHIR + "/Patient/" + sparse + "?_format=" + format);
			served.add(FHIR + "/Patient?identifier=API-GRACE&_format=" + format);
			served.add(FHIR + "/Patient?identifier=API-NOBODY&_format=" + format);
			served.add(FHIR + "/metadata?_format=" + format);
			served.add(FHIR + "/Patient/" + UUID.randomUUID() + "?_format=" + format);
			served.add(FHIR + "/Patient?_format=" + format);
		}
		for (String uri : served) {
			ResponseEntity<String> response = get(uri, staff);
			ca.uhn.fhir.validation.ValidationResult result = FhirProfiles.VALIDATOR.validateWithResult(response.getBody());
			assertThat(result.getMessages()).as("%s %s", uri, response.getBody())
				.filteredOn((message) -> message.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
				.isEmpty();
		}
		for (ResponseEntity<String> error : List.of(get(FHIR + "/Patient/" + this.ada, token(List.of("patient"),
				this.grace.toString())), get(FHIR + "/Patient/" + this.ada + "?_format=ttl", staff))) {
			assertThat(FhirProfiles.VALIDATOR.validateWithResult(error.getBody()).getMessages()).as(error.getBody())
				.filteredOn((message) -> message.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
				.isEmpty();
		}
	}

	/** The R4 core profiles and code systems, as HAPI FHIR's validator reads them (no terminology server). */
	private static final class FhirProfiles {

		static final FhirValidator VALIDATOR;

		static {
			FhirContext context = FhirContext.forR4Cached();
			ValidationSupportChain support = new ValidationSupportChain(new DefaultProfileValidationSupport(context),
					new CommonCodeSystemsTerminologyService(context),
					new InMemoryTerminologyServerValidationSupport(context),
					new SnapshotGeneratingValidationSupport(context));
			VALIDATOR = context.newValidator().registerValidatorModule(new FhirInstanceValidator(support));
		}

	}

	private static void assertFhirType(ResponseEntity<String> response, String type) {
		assertThat(response.getHeaders().getContentType()).as(response.getBody())
			.isNotNull()
			.satisfies((actual) -> assertThat(actual.isCompatibleWith(MediaType.parseMediaType(type))).isTrue());
	}

	private ResponseEntity<String> get(String uri, @Nullable String token, @Nullable String accept) {
		var request = this.api.get().uri(uri);
		if (token != null) {
			request = request.header("Authorization", "Bearer " + token);
		}
		if (accept != null) {
			request = request.header("Accept", accept);
		}
		return request.retrieve().toEntity(String.class);
	}

	private static IParser fhirParser() {
		return FhirContext.forR4Cached().newJsonParser();
	}

	private void assertOutcome(ResponseEntity<String> response, int status, OperationOutcome.IssueType code) {
		assertThat(response.getStatusCode().value()).as(response.getBody()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType()).isNotNull()
			.satisfies((type) -> assertThat(type.isCompatibleWith(MediaType.parseMediaType("application/fhir+json")))
				.isTrue());
		OperationOutcome outcome = fhirParser().parseResource(OperationOutcome.class, response.getBody());
		assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(code);
		assertThat(outcome.getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
	}

	@Test
	void searchesNamesWithLettersThatStandForTwoWrittenEitherWay() {
		// ß is SS in capitals and æ is written ae: 'grossmann' and 'aero' found nothing, where 'orsted' found Ørsted
		PatientId jurgen = register("API-F-" + UUID.randomUUID(), "Jürgen", "Großmannsdorfer");
		PatientId lukasz = register("API-F-" + UUID.randomUUID(), "Łukasz", "Ærøskøbing");
		String staff = token(List.of("staff"), null);
		for (String family : List.of("grossmannsdorfer", "GROSSMANNSDORFER", "großmannsd", "GROẞMANNSD")) {
			assertThat(ids(search("family=" + family, staff))).as(family).containsExactly(jurgen);
		}
		for (String family : List.of("aeroskobing", "ÆRØSK", "AEROSKØ")) {
			assertThat(ids(search("family=" + family, staff))).as(family).containsExactly(lukasz);
		}
		assertThat(ids(search("family=aeroskobing&given=lukasz", staff))).containsExactly(lukasz);
		assertThat(ids(search("family=grosmannsdorfer", staff))).isEmpty();
	}

	@Test
	void storesNamesComposedAndSearchesThemWhateverFormTheyAreTypedIn() {
		// a name sent decomposed (NFD: a letter, then its combining mark) was stored so: it looked the same and was
		// another text, and a search typed composed (as keyboards write it) found nothing, nor did one typed so.
		// Cyrillic \u0419 is \u0418 and a combining breve decomposed, and keeps its mark in the key
		String mrn = "API-NFC-" + UUID.randomUUID();
		PatientId zoe = this.patients.record(new RecordDemographics(mrn, "Zoe\u0301",
				"\u0418\u0306\u043e\u0432\u0430\u043d\u043e\u0432\u0438\u0447\u043a\u0430",
				BirthDate.of(LocalDate.of(1990, 5, 5)), Sex.FEMALE, null, null, null, null, EnumSet.allOf(Part.class),
				Instant.now(), "API-" + UUID.randomUUID(), NameParts.of("Ame\u0301lie", "Pe\u0300re", "Ai\u0302ne\u0301")))
			.patientId();
		assertThat(this.jdbc.queryForList("SELECT concat_ws('|', given_name, family_name, middle_names, name_prefix, "
				+ "name_suffix) FROM patient WHERE id = ?", String.class, zoe.value()))
			.containsExactly("Zo\u00e9|\u0419\u043e\u0432\u0430\u043d\u043e\u0432\u0438\u0447\u043a\u0430|Am\u00e9lie|"
					+ "P\u00e8re|A\u00een\u00e9");
		String staff = token(List.of("staff"), null);
		for (String family : List.of("\u0419\u043e\u0432\u0430\u043d", "\u0418\u0306\u043e\u0432\u0430\u043d")) {
			assertThat(ids(search("family=" + family, staff))).as(family).containsExactly(zoe);
		}
		assertThat(ids(search("family=\u0418\u043e\u0432\u0430\u043d", staff))).isEmpty();
		for (String given : List.of("zoe", "zo\u00e9", "ZOE\u0301", "ame\u0301l", "am\u00e9lie")) {
			assertThat(ids(search("family=\u0419\u043e\u0432\u0430\u043d&given=" + given, staff))).as(given)
				.containsExactly(zoe);
		}
	}

	@Test
	void searchesNamesWhateverTheirApostrophes() {
		// O’Brien (as the reader makes a Windows O\x92Brien) was not found by o'brien or obrien, as typed: the key
		// leaves out apostrophes, typographic or not (V15), so the three spellings find each other
		List<PatientId> stored = List.of(register("API-APO-" + UUID.randomUUID(), "Ada", "O'Briendunleavy"),
				register("API-APO-" + UUID.randomUUID(), "Ada", "O\u2019Briendunleavy"),
				register("API-APO-" + UUID.randomUUID(), "Ada", "OBriendunleavy"));
		String staff = token(List.of("staff"), null);
		for (String family : List.of("o'briendunleavy", "O\u2019BRIENDUNL", "obriendun", "O\u02BCbrien", "o`briend",
				"o\u00B4briendunleavy", "O\u2018BrienD")) {
			assertThat(ids(search("family=" + family, staff))).as(family).containsExactlyInAnyOrderElementsOf(stored);
		}
		assertThat(ids(search("name=o'briendunleavy&given=ada", staff))).containsExactlyInAnyOrderElementsOf(stored);
		// and in given and middle names too (D'Arcy, N’Golo)
		PatientId darcy = this.patients.record(new RecordDemographics("API-APO-" + UUID.randomUUID(), "D\u2019Arcy",
				"Briendunleavy", null, null, null, null, null, null, EnumSet.allOf(Part.class), Instant.now(),
				"API-" + UUID.randomUUID(), NameParts.of("N'Golo", null, null)))
			.patientId();
		for (String given : List.of("darcy", "d'arcy", "ngolo", "n\u2019golo")) {
			assertThat(ids(search("family=briendun&given=" + given, staff))).as(given).containsExactly(darcy);
		}
	}

	@Test
	void searchesTheMiddleNamesAsGivenNames() {
		// FHIR's given is every given name: HL7's middle names (XPN-3) are served as a second given, and found by one
		String mrn = "API-M-" + UUID.randomUUID();
		RecordDemographics.Recorded recorded = this.patients.record(new RecordDemographics(mrn, "Ada", "Byronkingsley",
				BirthDate.of(LocalDate.of(1815, 12, 10)), Sex.FEMALE, null, null, null, null, EnumSet.allOf(Part.class),
				Instant.now(), "API-" + UUID.randomUUID(), NameParts.of("Augusta Ælfrida", "Lady", null)));
		PatientId ada = recorded.patientId();
		PatientId other = register("API-M-" + UUID.randomUUID(), "Augustina", "Byronkingsley");
		String staff = token(List.of("staff"), null);
		assertThat(ids(search("family=byronk&given=august", staff))).containsExactly(ada, other);
		assertThat(ids(search("family=byronk&given=augusta", staff))).containsExactly(ada);
		assertThat(ids(search("family=byronk&given=AUGUSTA AELF", staff))).containsExactly(ada);
		assertThat(ids(search("family=byronk&name=AUGUST", staff))).containsExactly(ada, other);
		assertThat(ids(search("family=byronk&given=ada", staff))).containsExactly(ada);
		// the start of the middle names, as of every name; not a word inside them, nor the prefix
		assertThat(ids(search("family=byronk&given=aelfrida", staff))).isEmpty();
		assertThat(ids(search("family=byronk&name=lady", staff))).isEmpty();
		assertThat(ids(search("family=augusta", staff))).isEmpty();
	}

	@Test
	void searchesFhirPatientsByNameWhateverItsCaseAndAccentsByBirthDateAndGenderInPages() {
		PatientId anna = register("API-S-" + UUID.randomUUID(), "Anna", "Żółkiewska", LocalDate.of(1948, 2, 3),
				Sex.FEMALE);
		PatientId barbara = register("API-S-" + UUID.randomUUID(), "Barbara", "ZOLKIEWSKA", LocalDate.of(1950, 6, 1),
				Sex.FEMALE);
		PatientId jan = register("API-S-" + UUID.randomUUID(), "Jan", "Zolkiewski", LocalDate.of(1950, 12, 31),
				Sex.MALE);
		PatientId eva = register("API-S-" + UUID.randomUUID(), "Éva", "Zöllner", LocalDate.of(1951, 1, 1),
				Sex.AMBIGUOUS);
		String staff = token(List.of("staff"), null);
		long before = this.jdbc.queryForObject("SELECT coalesce(max(id), 0) FROM audit_log", Long.class);

		// by family name, then given name, then id; the key of Żółkiewska and ZOLKIEWSKA is zolkiewska
		Bundle all = search("family=zol", staff);
		assertThat(ids(all)).containsExactly(anna, barbara, jan, eva);
		assertThat(all.getTotal()).isEqualTo(4);
		assertThat(all.getLink("next")).isNull();

		Bundle first = search("family=ZÓŁ&_count=3", staff);
		assertThat(ids(first)).containsExactly(anna, barbara, jan);
		assertThat(first.hasTotal()).isFalse();
		String next = first.getLink("next").getUrl();
		assertThat(next).contains("family=").contains("_count=3").contains("_cursor=");
		// the cursor names the last patient by id alone: never a name in a URL (proxies and access logs keep them)
		String cursor = org.springframework.web.util.UriComponentsBuilder.fromUriString(next)
			.build()
			.getQueryParams()
			.getFirst("_cursor");
		String decoded = new String(java.util.Base64.getUrlDecoder().decode(
				java.net.URLDecoder.decode(cursor, java.nio.charset.StandardCharsets.UTF_8)),
				java.nio.charset.StandardCharsets.UTF_8);
		// and the search it pages by a short hash of its criteria
		assertThat(decoded.split("\u001f")).hasSize(2).startsWith(jan.toString());
		assertThat(decoded).doesNotContainIgnoringCase("zolkiewsk").doesNotContainIgnoringCase("zó");
		ResponseEntity<String> page = this.api.get()
			.uri(java.net.URI.create(next))
			.header("Authorization", "Bearer " + staff)
			.retrieve()
			.toEntity(String.class);
		Bundle second = fhirParser().parseResource(Bundle.class, page.getBody());
		assertThat(ids(second)).containsExactly(eva);
		assertThat(second.getLink("next")).isNull();

		assertThat(ids(search("family=zolkiewsk&gender=male", staff))).containsExactly(jan);
		assertThat(ids(search("family=zol&gender=other", staff))).containsExactly(eva);
		assertThat(ids(search("family=zol&gender=female,other", staff))).containsExactly(anna, barbara, eva);
		assertThat(ids(search("family=zol&birthdate=1950", staff))).containsExactly(barbara, jan);
		assertThat(ids(search("family=zol&birthdate=1950-06", staff))).containsExactly(barbara);
		assertThat(ids(search("family=zol&birthdate=1948-02-03", staff))).containsExactly(anna);
		assertThat(ids(search("family=zol&birthdate=gt1950", staff))).containsExactly(eva);
		assertThat(ids(search("family=zol&birthdate=ge1950-12-31", staff))).containsExactly(jan, eva);
		assertThat(ids(search("family=zol&birthdate=lt1950", staff))).containsExactly(anna);
		assertThat(ids(search("family=zol&birthdate=ge1949&birthdate=le1950", staff))).containsExactly(barbara, jan);
		assertThat(ids(search("family=zol&birthdate=ne1950", staff))).containsExactly(anna, eva);
		assertThat(ids(search("family=zol&given=eva,ann", staff))).containsExactly(anna, eva);
		assertThat(ids(search("family=zol&family=zoll", staff))).containsExactly(eva);
		assertThat(ids(search("family=zol&name=barb", staff))).containsExactly(barbara);
		assertThat(ids(search("name=zolkiewski", staff))).containsExactly(jan);
		assertThat(ids(search("family=zol&_id=" + jan + "," + eva, staff))).containsExactly(jan, eva);
		assertThat(ids(search("family=zol&_id=not-a-uuid", staff))).isEmpty();
		assertThat(ids(search("family=hopper&identifier=API-ADA", staff))).isEmpty();
		assertThat(ids(search("family=zol&family=", staff))).hasSize(4);

		// each patient a search showed is audited, with the criteria's names and not their values
		List<Map<String, Object>> audited = this.jdbc.queryForList(
				"SELECT action, resource_id, outcome, reason FROM audit_log WHERE id > ? ORDER BY id", before);
		assertThat(audited.subList(0, 4)).extracting((row) -> row.get("action") + " " + row.get("resource_id") + " "
				+ row.get("outcome") + " " + row.get("reason"))
			.containsExactly("search " + anna + " OK family", "search " + barbara + " OK family",
					"search " + jan + " OK family", "search " + eva + " OK family");
		assertThat(audited).extracting((row) -> row.get("reason"))
			.contains("family,gender", "family,birthdate", "family,_id", "identifier,family");
		assertThat(audited).anySatisfy((row) -> assertThat(row).containsEntry("outcome", "NOT_FOUND"));
		assertThat(audited.toString()).doesNotContain("zol").doesNotContain("1950");
	}

	@Test
	void servesAMergedPatientAsNoLongerInUseNamingThePatientToUseInstead() {
		String priorMrn = "API-MRG-" + UUID.randomUUID();
		PatientId prior = register(priorMrn, "Ada", "Lovelace");
		PatientId survivor = register("API-MRG-" + UUID.randomUUID(), "Ada", "Lovelace");
		assertThat(this.patients.merge(priorMrn, survivor, "API-MRG")).contains(prior);
		String staff = token(List.of("staff"), null);

		assertThat(body(get("/api/v1/patients/" + prior, staff))).containsEntry("mergedInto", survivor.toString());
		assertThat(body(get("/api/v1/patients/" + survivor, staff))).containsEntry("mergedInto", null);
		org.hl7.fhir.r4.model.Patient merged = fhirParser().parseResource(org.hl7.fhir.r4.model.Patient.class,
				get(FHIR + "/Patient/" + prior, staff).getBody());
		assertThat(merged.getActive()).isFalse();
		assertThat(merged.getLinkFirstRep().getType()).isEqualTo(org.hl7.fhir.r4.model.Patient.LinkType.REPLACEDBY);
		assertThat(merged.getLinkFirstRep().getOther().getReference()).isEqualTo("Patient/" + survivor);
		org.hl7.fhir.r4.model.Patient used = fhirParser().parseResource(org.hl7.fhir.r4.model.Patient.class,
				get(FHIR + "/Patient/" + survivor, staff).getBody());
		assertThat(used.getActive()).isTrue();
		assertThat(used.getLink()).isEmpty();
		// the patient, signed in with their first record's id, reads the record in use and its test orders
		String patient = token(List.of("patient"), prior.toString());
		long before = this.jdbc.queryForObject("SELECT coalesce(max(id), 0) FROM audit_log", Long.class);
		assertThat(body(get("/api/v1/patients/" + survivor, patient))).containsEntry("id", survivor.toString());
		assertThat(get("/api/v1/patients/" + survivor + "/test-orders", patient).getStatusCode().value())
			.isEqualTo(200);
		assertThat(this.jdbc.queryForList("SELECT action || ' ' || outcome || ' ' || reason FROM audit_log "
				+ "WHERE id > ? ORDER BY id", String.class, before))
			.containsExactly("read OK the caller's record " + prior + " was merged into it",
					"read-test-orders OK the caller's record " + prior + " was merged into it");
		// the survivor's own token does not read the merged record, nor anyone else's token the survivor's
		assertThat(get("/api/v1/patients/" + prior, token(List.of("patient"), survivor.toString())).getStatusCode()
			.value()).isEqualTo(403);
		ResponseEntity<String> another = get("/api/v1/patients/" + survivor, token(List.of("patient"), this.ada.toString()));
		assertThat(another.getStatusCode().value()).isEqualTo(403);
		assertThat(body(another)).containsEntry("detail", "A patient may read only their own record.");
		// merged once: merging it again, or into itself, merges nothing
		assertThat(this.patients.merge(priorMrn, survivor, "API-MRG")).isEmpty();
		assertThat(this.patients.merge(priorMrn, prior, "API-MRG")).isEmpty();
	}

	@Test
	void refusesAFhirSearchItCannotRunSayingWhy() {
		String staff = token(List.of("staff"), null);
		OperationOutcome.IssueType notSupported = OperationOutcome.IssueType.NOTSUPPORTED;
		OperationOutcome.IssueType invalid = OperationOutcome.IssueType.INVALID;
		Map<String, OperationOutcome.IssueType> refused = Map.ofEntries(Map.entry("family:exact=Lovelace", notSupported),
				Map.entry("familyname=Lovelace", notSupported), Map.entry("_sort=family&family=L", notSupported),
				Map.entry("birthdate=1815-13", invalid), Map.entry("birthdate=1815-12-10T10:00:00Z", invalid),
				Map.entry("birthdate=sa1815", invalid), Map.entry("gender=f", invalid),
				Map.entry("family=L&_count=0", invalid), Map.entry("family=L&_cursor=bm9wZQ", invalid),
				Map.entry("family=a\u0000b", invalid), Map.entry("_count=5", OperationOutcome.IssueType.REQUIRED),
				// the name key leaves out apostrophes: this would match every patient
				Map.entry("given=\u2019&birthdate=1815", invalid), Map.entry("_id:missing=false", notSupported));
		refused.forEach((query, code) -> {
			ResponseEntity<String> response = get(FHIR + "/Patient?" + query, staff);
			assertOutcome(response, 400, code);
			String diagnostics = fhirParser().parseResource(OperationOutcome.class, response.getBody())
				.getIssueFirstRep()
				.getDiagnostics();
			assertThat(diagnostics).as(query).isNotBlank();
			if (code == OperationOutcome.IssueType.NOTSUPPORTED) {
				assertThat(diagnostics).as(query).contains(query.substring(0, query.indexOf('=')));
			}
		});
		// before: the text of a name's modifier, for _id's
		assertThat(get(FHIR + "/Patient?_id:missing=false", staff).getBody()).doesNotContain("a name matches");
		// a read refuses what it does not do as search does: before, the whole resource, as if _elements were done
		for (String query : List.of("_elements=name", "_summary=true", "familyname=x")) {
			ResponseEntity<String> read = get(FHIR + "/Patient/" + this.ada + "?" + query, staff);
			assertOutcome(read, 400, notSupported);
			assertThat(read.getBody()).contains(query.substring(0, query.indexOf('=')));
		}
		assertFhirType(get(FHIR + "/Patient/" + this.ada + "?_format=application/xml+fhir&_pretty=true", staff),
				"application/fhir+xml");
		// an operation is no patient's id: before, 404 not-found, "No patient $everything"
		ResponseEntity<String> everything = get(FHIR + "/Patient/$everything", staff);
		assertOutcome(everything, 404, notSupported);
		assertThat(everything.getBody()).contains("$everything is not served");
		// what this server does not serve is an OperationOutcome too, as a FHIR client reads errors (before:
		// problem+json, "No static resource …")
		assertOutcome(get(FHIR + "/Observation", staff), 404, OperationOutcome.IssueType.NOTSUPPORTED);
		assertOutcome(get(FHIR + "/Patient/" + this.ada + "/_history", staff), 404,
				OperationOutcome.IssueType.NOTSUPPORTED);
		ResponseEntity<String> create = this.api.post()
			.uri(FHIR + "/Patient")
			.header("Authorization", "Bearer " + staff)
			.contentType(MediaType.parseMediaType("application/fhir+json"))
			.body("{\"resourceType\":\"Patient\"}")
			.retrieve()
			.toEntity(String.class);
		assertOutcome(create, 405, OperationOutcome.IssueType.NOTSUPPORTED);
		assertThat(create.getHeaders().getAllow()).containsExactly(org.springframework.http.HttpMethod.GET);
		// a page larger than the most served is served at that size, as FHIR lets a server
		assertThat(search("family=L&_count=100000000000", staff).getEntry()).isNotEmpty();
		long before = this.jdbc.queryForObject("SELECT coalesce(max(id), 0) FROM audit_log", Long.class);
		assertOutcome(get(FHIR + "/Patient?family=Lovelace", token(List.of("patient"), this.ada.toString())), 403,
				OperationOutcome.IssueType.FORBIDDEN);
		assertThat(this.jdbc.queryForList("SELECT actor_role || ' ' || action || ' ' || outcome FROM audit_log "
				+ "WHERE id > ?", String.class, before)).containsExactly("patient search DENIED");
	}

	@Test
	void searchesFhirPatientsByPostWithTheCriteriaInAFormBodyAsFhirClientsSendThem() {
		String staff = token(List.of("staff"), null);
		long before = this.jdbc.queryForObject("SELECT coalesce(max(id), 0) FROM audit_log", Long.class);
		// the criteria in the body, as FHIR's POST [base]/Patient/_search (it was 405); the answer is GET's
		ResponseEntity<String> posted = postSearch("", "family=Lovelace&birthdate=1815", staff,
				MediaType.APPLICATION_FORM_URLENCODED_VALUE);
		assertThat(posted.getStatusCode().value()).as(posted.getBody()).isEqualTo(200);
		assertFhirType(posted, "application/fhir+json");
		Bundle bundle = fhirParser().parseResource(Bundle.class, posted.getBody());
		assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
		assertThat(ids(bundle)).contains(this.ada).doesNotContain(this.grace);
		assertThat(ids(bundle)).containsExactlyElementsOf(ids(search("family=Lovelace&birthdate=1815", staff)));
		// audited as GET's search is: each patient shown, by the criteria's names
		assertThat(this.jdbc.queryForList("SELECT action || ' ' || resource_id || ' ' || reason FROM audit_log "
				+ "WHERE resource_type = 'patient' AND id > ? AND resource_id = ?", String.class, before,
				this.ada.toString())).contains("search " + this.ada + " family,birthdate");
		// the query's parameters are added to the body's, and the links are GET URLs a client can follow
		String family = "Post" + UUID.randomUUID().toString().substring(0, 8);
		PatientId first = register("API-POST-1-" + family, "Ann", family);
		PatientId second = register("API-POST-2-" + family, "Eva", family);
		ResponseEntity<String> paged = postSearch("?_count=1", "family=" + family + "&given=ann,eva", staff,
				MediaType.APPLICATION_FORM_URLENCODED_VALUE + ";charset=UTF-8");
		Bundle page = fhirParser().parseResource(Bundle.class, paged.getBody());
		assertThat(ids(page)).containsExactly(first);
		ResponseEntity<String> next = this.api.get()
			.uri(java.net.URI.create(page.getLink("next").getUrl()))
			.header("Authorization", "Bearer " + staff)
			.retrieve()
			.toEntity(String.class);
		assertThat(ids(fhirParser().parseResource(Bundle.class, next.getBody()))).containsExactly(second);
		// XML when the body asks for it
		ResponseEntity<String> xml = postSearch("", "identifier=API-GRACE&_format=xml", staff,
				MediaType.APPLICATION_FORM_URLENCODED_VALUE);
		assertFhirType(xml, "application/fhir+xml");
		assertThat(ids(FhirContext.forR4Cached().newXmlParser().parseResource(Bundle.class, xml.getBody())))
			.containsExactly(this.grace);
		// what GET refuses, POST refuses alike, naming the parameter
		ResponseEntity<String> unknown = postSearch("", "familyname=Lovelace", staff,
				MediaType.APPLICATION_FORM_URLENCODED_VALUE);
		assertOutcome(unknown, 400, OperationOutcome.IssueType.NOTSUPPORTED);
		assertThat(unknown.getBody()).contains("familyname");
		assertOutcome(postSearch("", "", staff, MediaType.APPLICATION_FORM_URLENCODED_VALUE), 400,
				OperationOutcome.IssueType.REQUIRED);
		// a body in another media type is not read as criteria: 415, not a search of everyone or nobody
		for (String type : List.of("application/fhir+json", "text/plain", "multipart/form-data; boundary=x")) {
			assertOutcome(postSearch("", "family=Lovelace", staff, type), 415, OperationOutcome.IssueType.NOTSUPPORTED);
		}
		assertOutcome(postSearch("", "family=Lovelace", staff, null), 415, OperationOutcome.IssueType.NOTSUPPORTED);
		// a search's answer (patients' records) is never kept as an idempotent response would be
		long keys = this.jdbc.queryForObject("SELECT count(*) FROM idempotency_key", Long.class);
		ResponseEntity<String> keyed = this.api.post()
			.uri(FHIR + "/Patient/_search")
			.header("Authorization", "Bearer " + staff)
			.header("Idempotency-Key", UUID.randomUUID().toString())
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.body("family=Lovelace")
			.retrieve()
			.toEntity(String.class);
		assertOutcome(keyed, 400, OperationOutcome.IssueType.NOTSUPPORTED);
		assertThat(keyed.getBody()).contains("Idempotency-Key").doesNotContain("Lovelace\"");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM idempotency_key", Long.class)).isEqualTo(keys);
		// staff only, as GET; no token is the security layer's 401; another method is 405 naming both
		assertOutcome(postSearch("", "family=Lovelace", token(List.of("patient"), this.ada.toString()),
				MediaType.APPLICATION_FORM_URLENCODED_VALUE), 403, OperationOutcome.IssueType.FORBIDDEN);
		assertProblem(postSearch("", "family=Lovelace", null, MediaType.APPLICATION_FORM_URLENCODED_VALUE), 401);
		ResponseEntity<String> put = this.api.put()
			.uri(FHIR + "/Patient/_search")
			.header("Authorization", "Bearer " + staff)
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.body("family=Lovelace")
			.retrieve()
			.toEntity(String.class);
		assertOutcome(put, 405, OperationOutcome.IssueType.NOTSUPPORTED);
		assertThat(put.getHeaders().getAllow()).containsExactlyInAnyOrder(org.springframework.http.HttpMethod.GET,
				org.springframework.http.HttpMethod.POST);
	}

	/** FHIR's search by POST: the body as it is, in the media type given (none when null). */
	private ResponseEntity<String> postSearch(String query, String body, @Nullable String token,
			@Nullable String contentType) {
		var request = this.api.post().uri(FHIR + "/Patient/_search" + query);
		if (token != null) {
			request = request.header("Authorization", "Bearer " + token);
		}
		if (contentType != null) {
			request = request.header("Content-Type", contentType);
		}
		return request.body(body.getBytes(StandardCharsets.UTF_8)).retrieve().toEntity(String.class);
	}

	@Test
	void bindsAPageCursorToTheCriteriaOfTheSearchItPages() {
		String family = "Curs" + UUID.randomUUID().toString().substring(0, 8);
		PatientId first = register("API-CUR-1-" + family, "Ann", family);
		PatientId second = register("API-CUR-2-" + family, "Eva", family);
		String staff = token(List.of("staff"), null);
		Bundle page = search("family=" + family + "&given=ann,eva&_count=1", staff);
		assertThat(ids(page)).containsExactly(first);
		String cursor = org.springframework.web.util.UriComponentsBuilder.fromUriString(page.getLink("next").getUrl())
			.build()
			.getQueryParams()
			.getFirst("_cursor");
		// the same search, its values and parameters in another order, another page size or encoding: its next page
		for (String same : List.of("family=" + family + "&given=ann,eva", "given=eva,ann&family=" + family,
				"family=" + family + "&given=&given=ann,eva,ann&_count=5&_format=json")) {
			assertThat(ids(search(same + "&_cursor=" + cursor, staff))).as(same).containsExactly(second);
		}
		// another search's: it paged that search from a place in this one's list (Ann's keys: family, given, id)
		for (String other : List.of("family=" + family, "family=" + family + "&given=eva",
				"family=" + family + "&given=ann,eva&birthdate=1815", "name=" + family + "&given=ann,eva")) {
			ResponseEntity<String> refused = get(FHIR + "/Patient?" + other + "&_cursor=" + cursor, staff);
			assertOutcome(refused, 400, OperationOutcome.IssueType.INVALID);
			assertThat(refused.getBody()).as(other).contains("The _cursor belongs to another search");
		}
		// a cursor of before, the last patient's id alone, is no page of any search now
		String idAlone = java.util.Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(first.toString().getBytes(StandardCharsets.UTF_8));
		ResponseEntity<String> old = get(FHIR + "/Patient?family=" + family + "&given=ann,eva&_cursor=" + idAlone, staff);
		assertOutcome(old, 400, OperationOutcome.IssueType.INVALID);
		assertThat(old.getBody()).contains("not one of this search's pages");
	}

	@Test
	void refusesAFormatOrPrettyGivenTwiceOrMalformedAndMetadataParametersItDoesNotTake() {
		String staff = token(List.of("staff"), null);
		String ada = FHIR + "/Patient/" + this.ada;
		// the first was used: _format=json&_format=xml answered JSON, _pretty=yes as false (as _count given twice is
		// refused)
		for (String uri : List.of(ada + "?_format=json&_format=xml", ada + "?_pretty=true&_pretty=false",
				ada + "?_pretty=yes", ada + "?_pretty=maybe", ada + "?_pretty=TRUE", FHIR + "/metadata?_pretty=1",
				FHIR + "/metadata?_format=xml&_format=xml", FHIR + "/Patient?family=L&_pretty=yes",
				FHIR + "/Patient?family=L&_format=json&_format=json")) {
			ResponseEntity<String> refused = get(uri, staff);
			assertOutcome(refused, 400, OperationOutcome.IssueType.INVALID);
			assertThat(refused.getBody()).as(uri).containsAnyOf("is given 2 times; give it once", "_pretty is true or false");
		}
		// a refusal in the encoding asked for when that was said clearly
		ResponseEntity<String> inXml = get(ada + "?_format=xml&_pretty=maybe", staff);
		assertThat(inXml.getStatusCode().value()).isEqualTo(400);
		assertFhirType(inXml, "application/fhir+xml");
		assertThat(get(ada + "?_pretty=false", staff).getBody()).doesNotContain("\n");
		assertThat(get(ada + "?_pretty=true", staff).getBody()).contains("\n  ");

		// metadata answered the whole statement whatever it was asked: it takes _format, _pretty and mode=full
		for (String query : List.of("foo=1", "_summary=true", "_elements=rest", "mode=terminology", "mode=normative")) {
			ResponseEntity<String> refused = get(FHIR + "/metadata?" + query, staff);
			assertOutcome(refused, 400, OperationOutcome.IssueType.NOTSUPPORTED);
			assertThat(refused.getBody()).as(query).contains(query.startsWith("mode") ? query : query.substring(0,
					query.indexOf('=')));
		}
		assertOutcome(get(FHIR + "/metadata?mode=everything", staff), 400, OperationOutcome.IssueType.INVALID);
		assertOutcome(get(FHIR + "/metadata?mode=full&mode=full", staff), 400, OperationOutcome.IssueType.INVALID);
		for (String query : List.of("", "?mode=full", "?_format=json&_pretty=true&mode=full")) {
			ResponseEntity<String> statement = get(FHIR + "/metadata" + query, staff);
			assertThat(statement.getStatusCode().value()).as(query).isEqualTo(200);
			assertThat(fhirParser().parseResource(CapabilityStatement.class, statement.getBody()).getFhirVersion())
				.isEqualTo(Enumerations.FHIRVersion._4_0_1);
		}
	}

	@Test
	void neverAnswersInAnEncodingTheAcceptHeaderRefusesWithQZero() {
		String staff = token(List.of("staff"), null);
		String ada = FHIR + "/Patient/" + this.ada;
		// q=0 is "not acceptable": application/fhir+json;q=0 was answered in JSON
		for (String accept : List.of("application/fhir+json; q=0", "*/*;q=0", "application/fhir+xml;q=0",
				"application/json;q=0, application/fhir+json;q=0", "application/*;q=0, text/html")) {
			ResponseEntity<String> refused = get(ada, staff, accept);
			assertOutcome(refused, 406, OperationOutcome.IssueType.NOTSUPPORTED);
			assertThat(refused.getBody()).as(accept).contains("leaves no encoding this server writes acceptable");
		}
		// the other one when it is acceptable, however it is named
		for (String accept : List.of("application/fhir+json;q=0, application/fhir+xml",
				"application/fhir+json;q=0, */*", "application/fhir+json;q=0, application/*;q=0.1",
				"application/json;q=0, application/fhir+json;q=0, application/json+fhir;q=0, text/xml;q=0.2")) {
			ResponseEntity<String> response = get(ada, staff, accept);
			assertThat(response.getStatusCode().value()).as(accept).isEqualTo(200);
			assertFhirType(response, "application/fhir+xml");
		}
		for (String accept : List.of("application/fhir+xml;q=0, */*", "application/xml;q=0, text/xml;q=0, application/*",
				"application/fhir+xml;q=0, application/fhir+json;q=0.001")) {
			ResponseEntity<String> response = get(ada, staff, accept);
			assertThat(response.getStatusCode().value()).as(accept).isEqualTo(200);
			assertFhirType(response, "application/fhir+json");
		}
		// _format is what the client asked for, over Accept; an Accept that names neither still gets JSON
		assertFhirType(get(ada + "?_format=json", staff, "application/fhir+json;q=0"), "application/fhir+json");
		assertFhirType(get(ada, staff, "text/html"), "application/fhir+json");
		assertFhirType(get(FHIR + "/Patient?identifier=API-ADA", staff, "application/fhir+json;q=0, */*"),
				"application/fhir+xml");
		assertThat(get(FHIR + "/metadata", staff, "*/*;q=0").getStatusCode().value()).isEqualTo(406);
	}

	private Bundle search(String query, String token) {
		ResponseEntity<String> response = get(FHIR + "/Patient?" + query, token);
		assertThat(response.getStatusCode().value()).as(query + ": " + response.getBody()).isEqualTo(200);
		return fhirParser().parseResource(Bundle.class, response.getBody());
	}

	private static List<PatientId> ids(Bundle bundle) {
		return bundle.getEntry()
			.stream()
			.map((entry) -> new PatientId(UUID.fromString(entry.getResource().getIdElement().getIdPart())))
			.toList();
	}

	@Test
	void listsAPatientsTestsNewestFirstInKeysetPagesToStaffAndToThePatientAlone() {
		String mrn = "API-ORD-" + UUID.randomUUID();
		PatientId patient = register(mrn, "Ada", "Lovelace");
		String otherMrn = "API-ORD-" + UUID.randomUUID();
		PatientId other = register(otherMrn, "Grace", "Hopper");
		Instant orderedAt = Instant.parse("2026-11-30T08:15:00Z");
		// three messages, one at a time: each test's createdAt is its own message's transaction
		link(mrn, "ORD-1", "GLU", orderedAt);
		this.orders.link(new LinkTestOrders(List.of(
				new LinkTestOrders.Order(mrn, "ORD-2", "CBC", TestOrderStatus.ORDERED, orderedAt.plusSeconds(60)),
				new LinkTestOrders.Order(mrn, "ORD-2", "BMP", TestOrderStatus.ORDERED, orderedAt.plusSeconds(60))),
				orderedAt.plusSeconds(60), "API-" + UUID.randomUUID()));
		link(mrn, "ORD-3", "TSH", orderedAt.plusSeconds(120));
		this.orders.record(new RecordTestResults(List.of(new RecordTestResults.Result(mrn, "ORD-1", "GLU",
				TestOrderStatus.RESULTED, Instant.parse("2026-11-30T09:00:00Z"), Instant.parse("2026-11-30T11:30:00Z"))),
				Instant.parse("2026-11-30T11:31:00Z"), "API-" + UUID.randomUUID()), Instant.now());
		link(otherMrn, "ORD-9", "HBA1C", orderedAt);
		String staff = token(List.of("staff"), null);
		String uri = "/api/v1/patients/" + patient + "/test-orders";

		ResponseEntity<String> first = get(uri + "?limit=2", staff);
		assertThat(first.getStatusCode().value()).isEqualTo(200);
		Map<String, Object> firstPage = body(first);
		assertThat(items(firstPage)).extracting((item) -> item.get("orderId") + "/" + item.get("testCode"))
			.containsExactly("ORD-3/TSH", "ORD-2/CBC");
		assertThat(firstPage.get("nextCursor")).isInstanceOf(String.class);
		Map<String, Object> secondPage = body(get(uri + "?limit=2&cursor=" + firstPage.get("nextCursor"), staff));
		// the two tests of one order came in one message: the same createdAt, then the order and test code
		assertThat(items(secondPage)).extracting((item) -> item.get("orderId") + "/" + item.get("testCode"))
			.containsExactly("ORD-2/BMP", "ORD-1/GLU");
		assertThat(secondPage.get("nextCursor")).isNull();
		Map<String, Object> resulted = items(secondPage).get(1);
		assertThat(resulted).containsEntry("status", "RESULTED")
			.containsEntry("orderedAt", "2026-11-30T08:15:00Z")
			.containsEntry("performedAt", "2026-11-30T09:00:00Z")
			.containsEntry("releasedAt", "2026-11-30T11:30:00Z")
			.containsKeys("createdAt", "updatedAt");
		assertThat(items(secondPage).get(0)).containsEntry("status", "ORDERED")
			.containsEntry("releasedAt", null)
			.containsEntry("orderedAt", "2026-11-30T08:16:00Z");

		assertThat(items(body(get(uri + "?status=RESULTED", staff))))
			.extracting((item) -> item.get("orderId") + "/" + item.get("testCode"))
			.containsExactly("ORD-1/GLU");
		assertThat(items(body(get(uri, token(List.of("patient"), patient.toString()))))).hasSize(4);

		ResponseEntity<String> another = get(uri, token(List.of("patient"), other.toString()));
		assertProblem(another, 403);
		assertThat(another.getBody()).doesNotContain("ORD-");
		assertThat(this.jdbc.queryForList("SELECT actor_role || ' ' || outcome FROM audit_log WHERE action = "
				+ "'read-test-orders' AND resource_id = ? ORDER BY id", String.class, patient.toString()))
			.containsExactly("staff OK", "staff OK", "staff OK", "patient OK", "patient DENIED");
	}

	@Test
	void answersBadTestOrderRequestsWithProblems() {
		PatientId patient = register("API-ORD-" + UUID.randomUUID(), "Ada", "Lovelace");
		String staff = token(List.of("staff"), null);
		String uri = "/api/v1/patients/" + patient + "/test-orders";

		ResponseEntity<String> status = get(uri + "?status=DONE", staff);
		assertProblem(status, 400);
		assertThat(status.getBody()).contains("ORDERED").contains("RESULTED");
		assertProblem(get(uri + "?limit=0", staff), 400);
		assertProblem(get(uri + "?limit=201", staff), 400);
		assertProblem(get(uri + "?cursor=bm90LWEtY3Vyc29y", staff), 400);
		UUID unknown = UUID.randomUUID();
		ResponseEntity<String> missing = get("/api/v1/patients/" + unknown + "/test-orders", staff);
		assertProblem(missing, 404);
		assertThat(body(missing)).containsEntry("detail", "No patient " + unknown);
		assertProblem(get("/api/v1/patients/not-a-uuid/test-orders", staff), 400);
		assertProblem(get(uri, token(List.of("ops"), null)), 403);
		assertProblem(get(uri, null), 401);
		Map<String, Object> none = body(get(uri, staff));
		assertThat(items(none)).isEmpty();
		assertThat(none.get("nextCursor")).isNull();
	}

	private void link(String mrn, String orderId, String testCode, Instant orderedAt) {
		this.orders.link(new LinkTestOrders(
				List.of(new LinkTestOrders.Order(mrn, orderId, testCode, TestOrderStatus.ORDERED, orderedAt)),
				orderedAt, "API-" + UUID.randomUUID()));
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> items(Map<String, Object> page) {
		return (List<Map<String, Object>>) page.get("items");
	}

	private PatientId register(String mrn, String given, String family) {
		return register(mrn, given, family, LocalDate.of(1815, 12, 10), Sex.FEMALE);
	}

	private PatientId register(String mrn, String given, String family, LocalDate birthDate, Sex sex) {
		RecordDemographics.Recorded recorded = this.patients.record(new RecordDemographics(mrn, given, family,
				BirthDate.of(birthDate), sex, "+44 20 79460123", "ada@example.org",
				new PostalAddress("12 Analytical Row", null, "London", null, "N1 9GU", "GBR"), "en-GB",
				EnumSet.allOf(Part.class), Instant.now(), "API-" + UUID.randomUUID()));
		assertThat(recorded.outcome()).isIn(Outcome.REGISTERED, Outcome.UPDATED);
		return recorded.patientId();
	}

	private String token(List<String> roles, @Nullable String patientId) {
		return this.signingKey.mint("caller", roles, patientId, Duration.ofMinutes(5));
	}

	private ResponseEntity<String> get(String uri, @Nullable String token) {
		var request = this.api.get().uri(uri);
		if (token != null) {
			request = request.header("Authorization", "Bearer " + token);
		}
		return request.retrieve().toEntity(String.class);
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> body(ResponseEntity<String> response) {
		return this.json.readValue(response.getBody(), Map.class);
	}

	private void assertProblem(ResponseEntity<String> response, int status) {
		assertThat(response.getStatusCode().value()).isEqualTo(status);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(body(response)).containsEntry("status", status);
	}

	/** Lets the clock pass a whole second, so that a time stated to the second would differ. */
	private static void sleepPastTheSecond() {
		try {
			Thread.sleep(1_100);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
