package org.patientplatform.booking;

import org.patientplatform.kit.roles.PlatformService;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The booking queue service; {@code PLATFORM_ROLES} picks which of its roles run. */
@SpringBootApplication
@ConfigurationPropertiesScan
@PlatformService(name = "booking-queue-service", roles = { "app", "spc-booking-topic--consumer" })
public class BookingQueueApplication {

	public static void main(String[] args) {
		SpringApplication.run(BookingQueueApplication.class, args);
	}

}
