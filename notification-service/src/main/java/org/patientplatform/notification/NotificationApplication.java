package org.patientplatform.notification;

import org.patientplatform.kit.roles.PlatformService;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The notification service; {@code PLATFORM_ROLES} picks which of its roles run. */
@SpringBootApplication
@ConfigurationPropertiesScan
@PlatformService(name = "notification-service",
		roles = { "app", "consumer-test-result-notification", "consumer-notification", "consumer-notification-update",
				"wrk--batch-publisher", "wrk--default", "wrk--notifications", "cron" })
public class NotificationApplication {

	public static void main(String[] args) {
		SpringApplication.run(NotificationApplication.class, args);
	}

}
