package org.patientplatform.kit.internal;

import java.util.List;

import jakarta.validation.Validator;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.patientplatform.kit.audit.RoleDenials;
import org.patientplatform.kit.roles.PlatformRoles;
import org.patientplatform.kit.security.PlatformSecurityProperties;
import org.patientplatform.kit.web.BearerSchemeDocumented;
import org.patientplatform.kit.web.IdempotencyKeyFilter;
import org.patientplatform.kit.web.OpenApiContractDocumented;
import org.patientplatform.kit.web.ProblemDetailsAdvice;
import org.patientplatform.kit.web.ProblemErrorController;
import org.patientplatform.kit.web.ProblemErrorReportValve;
import org.patientplatform.kit.web.BodyFieldErrors;
import org.patientplatform.kit.web.BodyFieldErrorsAdvice;
import org.patientplatform.kit.web.ProblemResponses;
import org.patientplatform.kit.web.NullableComponentsDocumented;
import org.patientplatform.kit.web.ProblemResponsesDocumented;
import org.patientplatform.kit.web.RequestSizeLimitFilter;
import org.patientplatform.kit.web.RouteTemplates;
import org.patientplatform.kit.web.TimeRangeModule;
import org.patientplatform.kit.web.TimesAsWritten;
import org.patientplatform.kit.web.TransientDatabaseFailures;
import org.patientplatform.kit.web.UnknownQueryParameters;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.format.FormatterRegistry;
import org.springframework.http.MediaType;
import org.springframework.http.server.observation.ServerRequestObservationConvention;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

// before Boot's error MVC configuration, whose error controller backs off for the kit's
@AutoConfiguration(beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@EnableConfigurationProperties(PlatformHttpProperties.class)
class PlatformWebAutoConfiguration {

	@Bean
	ProblemResponses problemResponses(JsonMapper jsonMapper, ObjectProvider<ProblemResponses.PathFormat> formats) {
		return new ProblemResponses(jsonMapper, formats.orderedStream().toList());
	}

	@Bean
	FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(ProblemResponses problems,
			PlatformHttpProperties http) {
		FilterRegistrationBean<RequestSizeLimitFilter> registration = new FilterRegistrationBean<>(
				new RequestSizeLimitFilter(http.maxBodySize().toBytes(), problems));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

	@Bean
	FilterRegistrationBean<IdempotencyKeyFilter> idempotencyKeyFilter(JdbcTemplate jdbc, ProblemResponses problems,
			TransientDatabaseFailures transientFailures, PlatformHttpProperties http,
			ObjectProvider<PlatformSecurityProperties> security) {
		PlatformSecurityProperties jwt = security.getIfAvailable();
		String patientIdClaim = (jwt != null) ? jwt.effectivePatientIdClaim() : "patient_id";
		FilterRegistrationBean<IdempotencyKeyFilter> registration = new FilterRegistrationBean<>(
				new IdempotencyKeyFilter(jdbc, problems, transientFailures, http.idempotencyKeyTtl(),
						patientIdClaim));
		// after Spring Security (order -100), so the key belongs to the authenticated caller
		registration.setOrder(0);
		return registration;
	}

	/** Registered with the application's JSON mapper, so event data is checked as request bodies are. */
	@Bean
	TimeRangeModule platformTimeRangeModule() {
		return new TimeRangeModule();
	}

	/**
	 * An instant is read as written: hour 24 and a leap second (23:59:60), which java.time reads as the next day's
	 * midnight and as 23:59:59, are refused in a body and in event data (the application's JSON mapper), and by the
	 * formatters below in a query parameter or path variable.
	 */
	@Bean
	JacksonModule platformTimesAsWrittenModule() {
		return TimesAsWritten.module();
	}

	/** An instant of a query parameter or path variable read as written: else a 400 naming it. */
	@Bean
	WebMvcConfigurer timesAsWritten() {
		return new WebMvcConfigurer() {

			@Override
			public void addFormatters(FormatterRegistry registry) {
				TimesAsWritten.addFormatters(registry);
			}

		};
	}

	/** {@code http.server.requests} labelled by each route's template without its path variables' patterns. */
	@Bean
	@ConditionalOnMissingBean(ServerRequestObservationConvention.class)
	ServerRequestObservationConvention routeTemplates() {
		return new RouteTemplates();
	}

	/** A deadlock, lock timeout, serialization failure or unusable database answers 503, logged and counted. */
	@Bean
	TransientDatabaseFailures transientDatabaseFailures(ObjectProvider<MeterRegistry> registry) {
		return new TransientDatabaseFailures(registry.getIfAvailable());
	}

	@Bean
	ProblemDetailsAdvice problemDetailsAdvice(TransientDatabaseFailures transientFailures,
			ObjectProvider<RoleDenials> roleDenials) {
		return new ProblemDetailsAdvice(transientFailures, roleDenials.getIfAvailable());
	}

	/** A request body's every wrong field, not only the first (with the advice and the filter below). */
	@Bean
	JacksonModule platformBodyFieldErrorsModule() {
		return BodyFieldErrors.module();
	}

	@Bean
	BodyFieldErrorsAdvice bodyFieldErrorsAdvice(ObjectProvider<Validator> validator) {
		return new BodyFieldErrorsAdvice(validator.getIfUnique());
	}

	@Bean
	FilterRegistrationBean<BodyFieldErrorsAdvice.Cleanup> bodyFieldErrorsCleanup() {
		FilterRegistrationBean<BodyFieldErrorsAdvice.Cleanup> registration = new FilterRegistrationBean<>(
				new BodyFieldErrorsAdvice.Cleanup());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 5);
		return registration;
	}

	/**
	 * A query parameter a GET operation does not take, or one given twice for a single value, is a 400 naming it,
	 * not silently ignored.
	 */
	@Bean
	WebMvcConfigurer unknownQueryParameters() {
		UnknownQueryParameters interceptor = new UnknownQueryParameters();
		return new WebMvcConfigurer() {

			@Override
			public void addInterceptors(InterceptorRegistry registry) {
				registry.addInterceptor(interceptor);
			}

		};
	}

	/**
	 * The API reads and writes JSON only. Spring registers a converter for every Jackson format on the class path,
	 * and YAML's arrives with swagger-core: {@code Accept: application/yaml} was answered in YAML by Jackson 2's
	 * default mapper (times as epoch seconds, none of the application's modules), and a YAML body was read without
	 * the body checks ({@code BodyFieldErrors}). Now such an {@code Accept} is a 406 and such a body a 415, both
	 * problem+json. What writes its own format (a FHIR resource as text, the OpenAPI document's YAML as bytes) is
	 * not written by these converters.
	 */
	@Bean
	WebMvcConfigurer jsonOnlyMessageConverters() {
		return new WebMvcConfigurer() {

			@Override
			public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
				builder.configureMessageConvertersList(
						(converters) -> converters.removeIf(PlatformWebAutoConfiguration::otherJacksonFormat));
			}

		};
	}

	/** A converter of YAML, XML, Smile or CBOR: the formats Jackson has besides JSON. */
	static boolean otherJacksonFormat(HttpMessageConverter<?> converter) {
		return converter.getSupportedMediaTypes()
			.stream()
			.anyMatch((type) -> NOT_API_FORMATS.stream().anyMatch((format) -> format.includes(type)));
	}

	private static final List<MediaType> NOT_API_FORMATS = List.of(MediaType.APPLICATION_YAML,
			MediaType.APPLICATION_XML, MediaType.TEXT_XML, new MediaType("application", "*+xml"),
			new MediaType("application", "x-jackson-smile"), MediaType.APPLICATION_CBOR);

	/** The container's error page ({@code /error}) answers problem+json, not Boot's JSON or a 500 of its own. */
	@Bean
	@ConditionalOnClass(name = "org.springframework.boot.webmvc.error.ErrorController")
	ProblemErrorController problemErrorController(ProblemResponses problems) {
		return new ProblemErrorController(problems);
	}

	/** The OpenAPI document names the problem answers each operation can give. */
	@Bean
	ProblemResponsesDocumented problemResponsesDocumented(ObjectProvider<ProblemResponses.PathFormat> formats) {
		return new ProblemResponsesDocumented(formats.orderedStream().toList());
	}

	/**
	 * The OpenAPI document is valid OpenAPI 3.1: every parameter and header has a schema, patterns are JSON Schema's
	 * (anchored, or an enum), and error answers name their schema.
	 */
	@Bean
	OpenApiContractDocumented openApiContractDocumented() {
		return new OpenApiContractDocumented();
	}

	/** The OpenAPI document says which members of a body may be null (a record component marked @Nullable). */
	@Bean
	NullableComponentsDocumented nullableComponentsDocumented() {
		return new NullableComponentsDocumented();
	}

	/** The OpenAPI document declares the bearer scheme its operations name, and its title names the service. */
	@Bean
	BearerSchemeDocumented bearerSchemeDocumented(PlatformRoles roles) {
		return new BearerSchemeDocumented(roles.service());
	}

	/**
	 * Tomcat's own error answers (for what it refuses before the application sees it) as problem+json:
	 * after Boot's customizer, which adds the container's HTML valve to the host, that valve is replaced.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.apache.catalina.valves.ErrorReportValve")
	static class TomcatErrorAnswers {

		@Bean
		WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> problemErrorReportValve(
				ProblemResponses problems) {
			return new ProblemValveCustomizer(problems);
		}

	}

	private record ProblemValveCustomizer(ProblemResponses problems)
			implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {

		@Override
		public void customize(ConfigurableTomcatWebServerFactory factory) {
			factory.addContextCustomizers((context) -> {
				Pipeline host = context.getParent().getPipeline();
				for (Valve valve : host.getValves()) {
					if (valve instanceof ErrorReportValve) {
						host.removeValve(valve);
					}
				}
				host.addValve(new ProblemErrorReportValve(this.problems));
				if (context.getParent() instanceof StandardHost standardHost) {
					// so the host does not add its default one when it starts
					standardHost.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
				}
			});
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

}
