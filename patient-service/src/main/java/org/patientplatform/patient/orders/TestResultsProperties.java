package org.patientplatform.patient.orders;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where TestResultReady events go.
 *
 * @param topic the topic, keyed by patient id
 * @param partitions the topic's partitions when this service creates it (DESIGN §3: at least 12)
 */
@ConfigurationProperties("patient.results")
@Validated
record TestResultsProperties(@NotBlank String topic, @Min(1) int partitions) {
}
