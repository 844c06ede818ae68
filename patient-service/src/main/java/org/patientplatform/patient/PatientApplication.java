package org.patientplatform.patient;

import org.patientplatform.kit.roles.PlatformService;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The patient service; {@code PLATFORM_ROLES} picks which of its roles run. */
@SpringBootApplication
@ConfigurationPropertiesScan
@PlatformService(name = "patient-service",
		roles = { "app", "consumer-lis-patient", "wrk--default", "wrk--notifications", "cron" })
public class PatientApplication {

	public static void main(String[] args) {
		SpringApplication.run(PatientApplication.class, args);
	}

}
