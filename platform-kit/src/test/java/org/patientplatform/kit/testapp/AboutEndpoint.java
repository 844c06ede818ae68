package org.patientplatform.kit.testapp;

import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What a client reads before it holds a token (as a FHIR server's capability statement): listed as a
 * {@link org.patientplatform.kit.security.PublicRequests} by {@link KitTestApplication}.
 */
@RestController
@RequestMapping(AboutEndpoint.PATH)
@ConditionalOnRole("app")
class AboutEndpoint {

	static final String PATH = "/api/v1/about";

	@GetMapping
	@SecurityRequirements
	String about() {
		return "kit-test";
	}

}
