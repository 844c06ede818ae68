package org.patientplatform.dlq.redrive;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * An operator's valid redrive that the broker did not take, or could not say it would: a topic it does not have, a
 * record it refuses, no answer. Nothing was sent and the entry is unchanged; the action is audited
 * {@link org.patientplatform.dlq.capture.AuditOutcome#FAILED} (ADR 0015, amended), where one the DLQ refuses from
 * what it holds (no such entry, a discarded one, a redrive in flight) is {@code REJECTED}.
 */
final class BrokerRefusal extends ResponseStatusException {

	BrokerRefusal(HttpStatus status, String detail) {
		super(status, detail);
	}

}
