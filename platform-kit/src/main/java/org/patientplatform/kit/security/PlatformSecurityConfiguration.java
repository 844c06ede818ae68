package org.patientplatform.kit.security;

import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.audit.RoleDenials;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.roles.PlatformRoles;
import org.patientplatform.kit.web.ProblemResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Every API requires a JWT; health, metrics and the OpenAPI document do not, nor the requests a service lists in a
 * {@link PublicRequests} bean. Where the {@code app} role is off no API exists, so nothing needs a token and
 * {@code /api/**} answers 404.
 */
@AutoConfiguration
@EnableConfigurationProperties(PlatformSecurityProperties.class)
@EnableMethodSecurity
class PlatformSecurityConfiguration {

	private static final Logger log = LoggerFactory.getLogger(PlatformSecurityConfiguration.class);

	static final String[] PUBLIC = { "/actuator/health/**", "/actuator/health", "/actuator/prometheus",
			"/actuator/info", "/v3/api-docs/**", "/v3/api-docs", "/swagger-ui/**", "/swagger-ui.html", "/error" };

	/**
	 * A request the firewall refuses (a path with {@code //}, {@code ;} or an encoded slash) is a 400 as
	 * problem+json like every other error, not the servlet container's error page. The detail says what was
	 * refused, never the value (the firewall's message quotes it): a header or a query parameter holding a
	 * character the firewall allows in none (a control character, such as the C1 bytes of UTF-8 text read as
	 * ISO-8859-1), an HTTP method it does not know (405), or the path; every one was said to be the path.
	 */
	@Bean
	RequestRejectedHandler problemRequestRejectedHandler(ProblemResponses problems) {
		return (request, response, rejected) -> {
			log.info("Refused a request the firewall rejects: {}", rejected.getClass().getSimpleName());
			String why = String.valueOf(rejected.getMessage());
			if (why.startsWith("The request was rejected because the header")) {
				problems.writeUnder(request, response, ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
						"A request header's name or value holds a character that is not allowed (a control character; "
								+ "a header is ISO-8859-1 text, so UTF-8 bytes of some characters read as control "
								+ "characters)."));
			}
			else if (why.startsWith("The request was rejected because the parameter")) {
				problems.writeUnder(request, response, ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
						"A query parameter's name or value holds a character that is not allowed (a control character)."));
			}
			else if (why.startsWith("The request was rejected because the HTTP method")) {
				problems.writeUnder(request, response, ProblemDetail.forStatusAndDetail(HttpStatus.METHOD_NOT_ALLOWED,
						"The HTTP method is not one this service takes (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)."));
			}
			else {
				problems.writeUnder(request, response, ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
						"The request's path is not allowed (for example a double slash, a semicolon or an encoded "
								+ "slash)."));
			}
		};
	}

	@Bean
	@Order(1)
	SecurityFilterChain publicEndpoints(HttpSecurity http, ObjectProvider<PublicRequests> services) throws Exception {
		List<RequestMatcher> listed = services.orderedStream()
			.flatMap((requests) -> requests.matchers().stream())
			.toList();
		return http.securityMatchers((matchers) -> {
			matchers.requestMatchers(PUBLIC);
			if (!listed.isEmpty()) {
				matchers.requestMatchers(listed.toArray(RequestMatcher[]::new));
			}
		})
			.authorizeHttpRequests((authorize) -> authorize.anyRequest().permitAll())
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.build();
	}

	@Bean
	@Order(10)
	@ConditionalOnRole(PlatformRoles.APP)
	SecurityFilterChain apiEndpoints(HttpSecurity http, JwtDecoder jwtDecoder, PlatformSecurityProperties properties,
			ProblemResponses problems, ObjectProvider<RoleDenials> roleDenials) throws Exception {
		return tokenRequired(http.securityMatcher("/api/**"), jwtDecoder, properties, problems,
				roleDenials.getIfAvailable(), (authorize) -> authorize.anyRequest().authenticated());
	}

	/** Actuator endpoints beyond health, Prometheus and info (e.g. metrics) are for ops, in every role. */
	@Bean
	@Order(20)
	SecurityFilterChain actuatorEndpoints(HttpSecurity http, JwtDecoder jwtDecoder,
			PlatformSecurityProperties properties, ProblemResponses problems, ObjectProvider<RoleDenials> roleDenials)
			throws Exception {
		return tokenRequired(http.securityMatcher("/actuator/**"), jwtDecoder, properties, problems,
				roleDenials.getIfAvailable(), (authorize) -> authorize.anyRequest().hasRole("ops"));
	}

	private static SecurityFilterChain tokenRequired(HttpSecurity http, JwtDecoder jwtDecoder,
			PlatformSecurityProperties properties, ProblemResponses problems, @Nullable RoleDenials roleDenials,
			Customizer<AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry> rules)
			throws Exception {
		AuthenticationEntryPoint unauthorized = (request, response, ex) -> problems.write(request, response,
				HttpStatus.UNAUTHORIZED, "A valid bearer token is required: " + ex.getMessage());
		AccessDeniedHandler forbidden = (request, response, ex) -> {
			if (roleDenials != null) {
				roleDenials.record(request);
			}
			problems.write(request, response, HttpStatus.FORBIDDEN, "Your role does not allow this.");
		};
		return http.authorizeHttpRequests(rules)
			.oauth2ResourceServer((resourceServer) -> resourceServer
				.jwt((jwt) -> jwt.decoder(jwtDecoder).jwtAuthenticationConverter(authenticationConverter(properties)))
				.authenticationEntryPoint(unauthorized)
				.accessDeniedHandler(forbidden))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(unauthorized)
				.accessDeniedHandler(forbidden))
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.build();
	}

	@Bean
	@Order(100)
	SecurityFilterChain everythingElse(HttpSecurity http) throws Exception {
		// Without the app role there is no API to protect: unknown paths answer 404, not 401.
		return http.authorizeHttpRequests((authorize) -> authorize.anyRequest().permitAll())
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.build();
	}

	@Bean
	JwtDecoder platformJwtDecoder(PlatformSecurityProperties properties) throws Exception {
		NimbusJwtDecoder decoder;
		if (properties.publicKey() != null && !properties.publicKey().isBlank()) {
			decoder = NimbusJwtDecoder.withPublicKey(parsePublicKey(properties.publicKey())).build();
		}
		else if (properties.jwkSetUri() != null && !properties.jwkSetUri().isBlank()) {
			decoder = NimbusJwtDecoder.withJwkSetUri(properties.jwkSetUri()).build();
		}
		else {
			throw new IllegalStateException("No way to verify tokens: set platform.security.jwt.jwk-set-uri "
					+ "(PLATFORM_SECURITY_JWT_JWK_SET_URI) or platform.security.jwt.public-key");
		}
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		validators.add((properties.issuer() != null) ? JwtValidators.createDefaultWithIssuer(properties.issuer())
				: JwtValidators.createDefault());
		if (properties.audience() != null && !properties.audience().isBlank()) {
			validators.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
					(aud) -> aud != null && aud.contains(properties.audience())));
		}
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
		return decoder;
	}

	static RSAPublicKey parsePublicKey(String pem) throws Exception {
		String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "")
			.replace("-----END PUBLIC KEY-----", "")
			.replaceAll("\\s", "");
		return (RSAPublicKey) KeyFactory.getInstance("RSA")
			.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
	}

	static JwtAuthenticationConverter authenticationConverter(PlatformSecurityProperties properties) {
		JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
		converter.setJwtGrantedAuthoritiesConverter((jwt) -> {
			Collection<GrantedAuthority> authorities = new ArrayList<>();
			List<String> roles = jwt.getClaimAsStringList(properties.effectiveRolesClaim());
			if (roles != null) {
				roles.forEach((role) -> authorities.add(new SimpleGrantedAuthority("ROLE_" + role)));
			}
			return authorities;
		});
		return converter;
	}

}
