package org.patientplatform.dlq.search;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Operator search settings.
 *
 * @param facetsWindow the time range of facet counts asked for without {@code from} and {@code to}:
 * entries whose last failure is within this long before now (like a log explorer's default range). The
 * cost grows with the entries in the range, about 1 ms per thousand here: a busy day of 86,000 failures
 * takes about 0.1 s and a million entries 0.7 s; a caller who wants that gives {@code from}.
 */
@ConfigurationProperties("dlq.search")
record SearchProperties(@DefaultValue("1h") Duration facetsWindow) {
}
