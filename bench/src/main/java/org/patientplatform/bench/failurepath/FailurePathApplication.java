package org.patientplatform.bench.failurepath;

import java.util.LinkedHashMap;
import java.util.Map;

import org.patientplatform.kit.roles.PlatformService;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A service with platform-kit's Kafka failure path and nothing else of its own: the {@code failure-path}
 * benchmark creates its listener containers from the kit-configured container factories, so its records
 * go through the kit's error handler, record interceptor and {@code DeadLetterPublisher} exactly as a
 * service's {@code @KafkaListener} does.
 */
@SpringBootApplication
@PlatformService(name = "bench-failure-path", roles = { "consumer-bench-stream" })
public class FailurePathApplication {

	/** The service name, which the failure path writes into the DLQ headers. */
	public static final String SERVICE = "bench-failure-path";

	/** Its only role; consumer groups are {@code <service>.<role>.<purpose>}. */
	public static final String ROLE = "consumer-bench-stream";

	/**
	 * Its own properties added to the given ones: no schema of its own (only the kit's tables), where the
	 * services on the classpath each have theirs under {@code db/migration}.
	 */
	public static Map<String, Object> properties(Map<String, Object> common) {
		Map<String, Object> properties = new LinkedHashMap<>(common);
		properties.put("spring.flyway.locations", "classpath:db/bench-failure-path");
		properties.put("spring.flyway.fail-on-missing-locations", false);
		return properties;
	}

}
