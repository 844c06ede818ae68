package org.patientplatform.kit.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * The bearer (JWT) scheme that the services' operations name ({@code @SecurityRequirement(name = "bearer")}),
 * declared once for every service: without it Swagger UI has no Authorize button and every "Try it out" gets
 * 401. And the document's title names the service instead of springdoc's "OpenAPI definition". A service that
 * declares either itself keeps its own.
 */
public final class BearerSchemeDocumented implements OpenApiCustomizer {

	/** The scheme's name, as operations refer to it. */
	public static final String SCHEME = "bearer";

	private static final String SPRINGDOC_DEFAULT_TITLE = "OpenAPI definition";

	private final String service;

	public BearerSchemeDocumented(String service) {
		this.service = service;
	}

	@Override
	public void customise(OpenAPI openApi) {
		if (openApi.getComponents() == null) {
			openApi.setComponents(new Components());
		}
		if (openApi.getComponents().getSecuritySchemes() == null
				|| !openApi.getComponents().getSecuritySchemes().containsKey(SCHEME)) {
			openApi.getComponents()
				.addSecuritySchemes(SCHEME, new SecurityScheme().type(SecurityScheme.Type.HTTP)
					.scheme("bearer")
					.bearerFormat("JWT")
					.description("A JWT (RS256) with the caller's roles; locally from the token issuer, "
							+ "e.g. /token?role=ops"));
		}
		if (openApi.getInfo() == null) {
			openApi.setInfo(new Info().version("v1"));
		}
		if (openApi.getInfo().getTitle() == null || SPRINGDOC_DEFAULT_TITLE.equals(openApi.getInfo().getTitle())) {
			openApi.getInfo().setTitle(this.service);
		}
	}

}
