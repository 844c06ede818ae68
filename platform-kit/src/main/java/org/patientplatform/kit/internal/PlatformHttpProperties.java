package org.patientplatform.kit.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * HTTP limits shared by every service.
 *
 * @param maxBodySize the largest request body accepted (413 above it)
 * @param idempotencyKeyTtl how long an {@code Idempotency-Key} replays its first response
 */
@ConfigurationProperties("platform.http")
record PlatformHttpProperties(@DefaultValue("1MB") DataSize maxBodySize,
		@DefaultValue("24h") Duration idempotencyKeyTtl) {
}
