package org.patientplatform.patient.records;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where the patient events go.
 *
 * @param topic the topic of PatientRegistered and PatientUpdated, keyed by patient id
 * @param partitions the topic's partitions when this service creates it
 */
@ConfigurationProperties("patient.events")
@Validated
record PatientEventsProperties(@NotBlank String topic, @Min(1) int partitions) {
}
