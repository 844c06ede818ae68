package org.patientplatform.bench;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.patientplatform.bench.Infrastructure.Database;
import org.patientplatform.dlq.DlqApplication;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.notification.NotificationApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * The platform's services started in this JVM, as the local run starts them: the real application class,
 * its own configuration file, the roles asked for, a fresh database (its own Flyway schema), the bench's
 * broker, an HTTP port of their own (0: any free one) and tokens verified against a local signing key.
 */
final class Services {

	static final String ISSUER = "https://bench.patient-platform.local";

	private Services() {
	}

	/** A signing key for one run; its tokens are accepted by the services started with it. */
	static LocalSigningKey signingKey() {
		return LocalSigningKey.generate(ISSUER);
	}

	/** A token of the signing key with the given role, valid for the longest benchmark. */
	static String token(LocalSigningKey key, String role) {
		return key.mint("bench-" + role, List.of(role), null, Duration.ofHours(3));
	}

	/** The DLQ service with the given roles (comma-separated), with a fresh AES-256 payload key. */
	static ConfigurableApplicationContext dlq(String roles, String bootstrap, Database db, LocalSigningKey key) {
		byte[] payloadKey = new byte[32];
		new SecureRandom().nextBytes(payloadKey);
		Map<String, Object> properties = common(roles, bootstrap, db, key);
		properties.put("dlq.encryption.active-key-id", "bench");
		properties.put("dlq.encryption.keys.bench", Base64.getEncoder().encodeToString(payloadKey));
		return start(DlqApplication.class, properties);
	}

	/** The notification service with the given roles. */
	static ConfigurableApplicationContext notification(String roles, String bootstrap, Database db,
			LocalSigningKey key) {
		return start(NotificationApplication.class, common(roles, bootstrap, db, key));
	}

	/**
	 * A Spring Boot application of the platform with the bench's properties above its own configuration.
	 */
	static ConfigurableApplicationContext start(Class<?> application, Map<String, Object> properties) {
		return new SpringApplicationBuilder(application).registerShutdownHook(false)
			.initializers((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("bench", properties)))
			.run();
	}

	/** What every service needs here: roles, port, database, broker, token verification. */
	static Map<String, Object> common(String roles, String bootstrap, Database db, LocalSigningKey key) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("platform.roles", roles);
		properties.put("server.port", 0);
		properties.put("server.address", "127.0.0.1");
		properties.put("spring.main.banner-mode", "off");
		properties.put("spring.datasource.url", db.url());
		properties.put("spring.datasource.username", db.user());
		properties.put("spring.datasource.password", db.password());
		properties.put("spring.kafka.bootstrap-servers", bootstrap);
		properties.put("platform.security.jwt.public-key", key.publicKeyPem());
		properties.put("platform.security.jwt.issuer", key.issuer());
		return properties;
	}

	/** The HTTP port a started service listens on. */
	static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
	}

}
