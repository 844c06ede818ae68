package org.patientplatform.patient.lis;

import java.time.Duration;
import java.time.ZoneId;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The LIS feed's settings.
 *
 * @param topic the topic the LIS writes to
 * @param partitions the topic's partitions when this service creates it
 * @param consumerGroup the consumer group, {@code <service>.<role>}
 * @param defaultZone the zone of HL7 timestamps that carry no offset
 * @param unhandledRetention how long a message kept because no feature handles its type (its ER7 text holds
 * patient data) is kept; those waiting for their patient, or naming another patient's order, stay until
 * applied or resolved
 * @param mrnAuthority the lab's own assigning authority (CX-4's namespace id or universal id), optional: of several MR
 * identifiers in a PID-3 or MRG-1 of which none names a patient of this service yet, the one it assigned is the MRN
 * (else the first); one that names a patient is chosen before it ({@link MrnChooser})
 */
@ConfigurationProperties("patient.lis")
@Validated
record LisProperties(@NotBlank String topic, @Min(1) int partitions, @NotBlank String consumerGroup,
		@NotNull ZoneId defaultZone, @DefaultValue("365d") Duration unhandledRetention,
		@Nullable String mrnAuthority) {

	LisProperties {
		if (unhandledRetention.isNegative() || unhandledRetention.isZero()) {
			throw new IllegalArgumentException("patient.lis.unhandled-retention must be positive");
		}
	}

}
