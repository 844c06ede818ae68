package org.patientplatform.dlq.redrive;

import org.patientplatform.kit.web.ConflictException;

/**
 * An operator's redrive of an entry whose stored payload cannot be decrypted (its key id no longer configured, or
 * bytes that do not match it): nothing was sent, the entry is unchanged, and the action is audited
 * {@link org.patientplatform.dlq.capture.AuditOutcome#UNREADABLE}, as a reveal of the same entry is.
 */
final class UnreadableRedrive extends ConflictException {

	UnreadableRedrive(String message) {
		super(message);
	}

}
