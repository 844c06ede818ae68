package org.patientplatform.booking.bookings;

import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The patient service's events this service reads (only {@link PatientMerged}).
 *
 * @param topic {@code patient.events.v1}
 * @param groupId {@code <service>.<role>.<purpose>}, its own group in the consumer role: the failure path reads the
 * role from it
 */
@ConfigurationProperties("booking.patient-events")
@Validated
record PatientEventsProperties(@NotBlank String topic, @NotBlank String groupId) {
}
