package org.patientplatform.notification.batches;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How batches are published.
 *
 * @param chunkSize notifications created per transaction (the progress moves with each)
 * @param maxPatients the longest patient list one batch may name
 * @param slice how long one job runs before it hands the rest to a fresh job, so no run
 * outlives the kit's job lease
 */
@ConfigurationProperties("notification.batches")
@Validated
record BatchesProperties(@DefaultValue("1000") @Min(1) @Max(10_000) int chunkSize,
		@DefaultValue("100000") @Min(1) int maxPatients, @DefaultValue("2m") Duration slice) {
}
