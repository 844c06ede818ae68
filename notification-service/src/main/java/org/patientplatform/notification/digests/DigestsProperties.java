package org.patientplatform.notification.digests;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Result digests.
 *
 * @param window how long a patient's first result notice waits for more results to
 * gather; zero (the default) turns digests off and every result is its own notice, sent
 * at once
 */
@ConfigurationProperties("notification.digests")
record DigestsProperties(@DefaultValue("PT0S") Duration window) {

	DigestsProperties {
		if (window.isNegative()) {
			throw new IllegalArgumentException("notification.digests.window must not be negative");
		}
	}

	boolean isOn() {
		return this.window.isPositive();
	}

}
