package org.patientplatform.patient.records;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import ca.uhn.fhir.context.FhirContext;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.web.ProblemResponses;
import org.patientplatform.kit.web.ProblemResponsesDocumented;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * The errors under the FHIR base answered before {@link FhirPatientEndpoint} runs (a path the firewall refuses, a
 * request the servlet container refuses, an error forwarded to the error page) as an {@code OperationOutcome} in
 * {@code application/fhir+json}, as the endpoint's own errors are: a FHIR client reads no problem+json. A missing or
 * invalid token (401) stays problem+json, as the README says. The request's parameters are never read (they may be
 * what was refused), so the answer is JSON whatever {@code _format} asks.
 */
@Component
@ConditionalOnRole("app")
class FhirProblems implements ProblemResponses.PathFormat {

	private final FhirContext fhir = FhirContext.forR4Cached();

	@Override
	public String pathPrefix() {
		return "/api/fhir/";
	}

	@Override
	public boolean writes(ProblemDetail problem) {
		return problem.getStatus() != HttpStatus.UNAUTHORIZED.value();
	}

	/**
	 * The OpenAPI document's name for the errors under the FHIR base: an OperationOutcome, in JSON or XML as
	 * {@code _format} or {@code Accept} asks (this class's own answers, before the endpoint runs, are JSON).
	 */
	@Override
	public ProblemResponsesDocumented.Format documented() {
		ObjectSchema issue = new ObjectSchema();
		issue.addProperty("severity", new StringSchema()._enum(List.of("fatal", "error", "warning", "information")));
		issue.addProperty("code", new StringSchema().description("the FHIR issue type: invalid, not-found, "
				+ "not-supported, forbidden, too-long, transient, exception, processing"));
		issue.addProperty("diagnostics", new StringSchema().description("what is wrong"));
		ObjectSchema outcome = new ObjectSchema();
		outcome.description("FHIR R4 OperationOutcome (https://hl7.org/fhir/R4/operationoutcome.html)");
		outcome.addProperty("resourceType", new StringSchema()._enum(List.of("OperationOutcome")));
		outcome.addProperty("issue", new ArraySchema().items(issue));
		return new ProblemResponsesDocumented.Format("OperationOutcome", outcome,
				List.of("application/fhir+json", "application/fhir+xml"));
	}

	@Override
	public void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem)
			throws IOException {
		HttpStatus known = HttpStatus.resolve(problem.getStatus());
		String diagnostics = (problem.getDetail() != null) ? problem.getDetail()
				: (known != null) ? known.getReasonPhrase() : "Error";
		response.setStatus(problem.getStatus());
		response.setContentType(FhirFormat.JSON.mediaType().toString());
		response.getOutputStream()
			.write(this.fhir.newJsonParser()
				.encodeResourceToString(outcome(problem.getStatus(), diagnostics))
				.getBytes(StandardCharsets.UTF_8));
	}

	/** One issue, severity error, its code as the status says. */
	static OperationOutcome outcome(int status, String diagnostics) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.ERROR)
			.setCode(code(status))
			.setDiagnostics(diagnostics);
		return outcome;
	}

	private static OperationOutcome.IssueType code(int status) {
		return switch (status) {
			case 400 -> OperationOutcome.IssueType.INVALID;
			case 403 -> OperationOutcome.IssueType.FORBIDDEN;
			case 404 -> OperationOutcome.IssueType.NOTFOUND;
			case 405, 406, 415 -> OperationOutcome.IssueType.NOTSUPPORTED;
			case 413, 414, 431 -> OperationOutcome.IssueType.TOOLONG;
			case 429, 503 -> OperationOutcome.IssueType.TRANSIENT;
			default -> (status >= 500) ? OperationOutcome.IssueType.EXCEPTION : OperationOutcome.IssueType.PROCESSING;
		};
	}

}
