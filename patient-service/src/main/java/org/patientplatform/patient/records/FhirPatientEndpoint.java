package org.patientplatform.patient.records;

import java.util.Date;
import java.util.List;

import ca.uhn.fhir.context.FhirContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.NotFoundException;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The patient records as FHIR R4 {@code Patient} resources ({@code application/fhir+json} or
 * {@code application/fhir+xml}, as the client asks with {@code _format} or {@code Accept}: {@link FhirFormat}; built
 * and written by HAPI FHIR), for portals and EHRs that speak FHIR: read by id, search by the MRN as an identifier, and the
 * server's capability statement. The same rules as the API: staff read any record, a patient only their own, and
 * only staff search; every read is audited ({@link PatientReads}). Errors of these operations are FHIR
 * {@code OperationOutcome}s; a missing or invalid token is answered by the platform's security layer, as
 * problem+json.
 */
@RestController
@RequestMapping(path = FhirPatientEndpoint.BASE)
@ConditionalOnRole("app")
@Tag(name = "FHIR R4", description = "Patient records as FHIR R4 resources")
@SecurityRequirement(name = "bearer")
class FhirPatientEndpoint {

	static final String BASE = "/api/fhir/r4";

	private final FhirContext fhir = FhirContext.forR4Cached();

	private final PatientReads reads;

	private final String mrnSystem;

	FhirPatientEndpoint(PatientReads reads,
			@Value("${patient.fhir.mrn-system:urn:patient-platform:mrn}") String mrnSystem) {
		this.reads = reads;
		this.mrnSystem = mrnSystem;
	}

	@GetMapping("/Patient/{id}")
	@Operation(summary = "One patient as a FHIR R4 Patient; staff, or the patient themself",
			description = "404 OperationOutcome when there is no such patient (an id that is not a UUID names none).")
	ResponseEntity<String> read(@PathVariable String id, Authentication caller, HttpServletRequest request) {
		FhirFormat format = FhirFormat.of(request);
		return ok(FhirPatients.of(this.reads.read(id, caller), this.mrnSystem), format, request);
	}

	@GetMapping("/Patient")
	@Operation(summary = "Search patients by identifier (staff): a searchset Bundle of the one with this MRN, or none",
			description = "identifier is [system|]value; the system, when given, must be patient.fhir.mrn-system "
					+ "(another system, or none as in |value, matches nothing).")
	ResponseEntity<String> search(@Parameter(description = "the MRN, as <system>|<value> or <value>") @RequestParam(
			required = false) @Nullable String identifier, Authentication caller, HttpServletRequest request) {
		FhirFormat format = FhirFormat.of(request);
		this.reads.requireSearch(caller);
		if (identifier == null || identifier.isBlank() || identifier.length() > 500) {
			return outcome(HttpStatus.BAD_REQUEST, OperationOutcome.IssueType.REQUIRED,
					"Search by identifier: identifier=[system|]value, at most 500 characters.", request);
		}
		int bar = identifier.indexOf('|');
		String system = (bar >= 0) ? identifier.substring(0, bar) : null;
		String value = (bar >= 0) ? identifier.substring(bar + 1) : identifier;
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		bundle.getMeta().setLastUpdated(new Date());
		String base = ServletUriComponentsBuilder.fromCurrentContextPath().path(BASE).toUriString();
		bundle.addLink()
			.setRelation("self")
			.setUrl(UriComponentsBuilder.fromUriString(base + "/Patient")
				.queryParam("identifier", identifier)
				.encode()
				.toUriString());
		List<Patient> found = List.of();
		// FHIR's token search: value alone matches any system, |value only identifiers without one (none here)
		if (!value.isBlank() && (system == null || system.equals(this.mrnSystem))) {
			try {
				found = List.of(this.reads.findByMrn(value, caller));
			}
			catch (NotFoundException ex) {
				// none: an empty searchset, not an error
			}
		}
		for (Patient patient : found) {
			org.hl7.fhir.r4.model.Patient resource = FhirPatients.of(patient, this.mrnSystem);
			bundle.addEntry()
				.setFullUrl(base + "/Patient/" + resource.getIdElement().getIdPart())
				.setResource(resource)
				.getSearch()
				.setMode(Bundle.SearchEntryMode.MATCH);
		}
		bundle.setTotal(found.size());
		return ok(bundle, format, request);
	}

	@GetMapping("/metadata")
	@Operation(summary = "The FHIR server's capability statement")
	ResponseEntity<String> metadata(HttpServletRequest request) {
		FhirFormat format = FhirFormat.of(request);
		CapabilityStatement statement = new CapabilityStatement();
		statement.setStatus(Enumerations.PublicationStatus.ACTIVE)
			.setDate(new Date())
			.setKind(CapabilityStatement.CapabilityStatementKind.INSTANCE)
			.setFhirVersion(Enumerations.FHIRVersion._4_0_1)
			.addFormat("json")
			.addFormat("xml")
			.setPublisher("patient-platform")
			.getImplementation()
			.setDescription("patient-service: patient records from the LIS")
			.setUrl(ServletUriComponentsBuilder.fromCurrentContextPath().path(BASE).toUriString());
		CapabilityStatement.CapabilityStatementRestResourceComponent patients = statement.addRest()
			.setMode(CapabilityStatement.RestfulCapabilityMode.SERVER)
			.addResource()
			.setType("Patient");
		patients.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.READ);
		patients.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.SEARCHTYPE);
		patients.addSearchParam()
			.setName("identifier")
			.setType(Enumerations.SearchParamType.TOKEN)
			.setDocumentation("The MRN, system " + this.mrnSystem);
		return ok(statement, format, request);
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
