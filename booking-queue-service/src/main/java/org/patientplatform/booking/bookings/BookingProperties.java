package org.patientplatform.booking.bookings;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The booking consumer's settings.
 *
 * @param topics the topics it reads
 * @param consumer the consumer of {@code booking.events.v1}
 */
@ConfigurationProperties("booking")
@Validated
record BookingProperties(Topics topics, Consumer consumer) {

	/** @param events the booking events topic, {@code booking.events.v1} */
	record Topics(@NotBlank String events) {
	}

	/**
	 * @param groupId {@code <service>.<role>}: the failure path reads the role from it
	 * @param concurrency consumer threads per process
	 */
	record Consumer(@NotBlank String groupId, @Min(1) int concurrency) {
	}

}
