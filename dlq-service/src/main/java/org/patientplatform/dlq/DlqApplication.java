package org.patientplatform.dlq;

import org.patientplatform.kit.roles.PlatformService;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The DLQ service; {@code PLATFORM_ROLES} picks which of its roles run. */
@SpringBootApplication
@ConfigurationPropertiesScan
@PlatformService(name = "dlq-service",
		roles = { "app", "consumer-retry-message", "wrk--default", "wrk--notifications", "cron" })
public class DlqApplication {

	public static void main(String[] args) {
		SpringApplication.run(DlqApplication.class, args);
	}

}
