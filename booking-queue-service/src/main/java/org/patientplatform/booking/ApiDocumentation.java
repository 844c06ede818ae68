package org.patientplatform.booking;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityScheme;

import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's title and the bearer scheme the endpoints refer to. */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "Booking queue service",
		description = "Slots, bookings and the queue of checked-in patients per site", version = "v1"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
class ApiDocumentation {

}
