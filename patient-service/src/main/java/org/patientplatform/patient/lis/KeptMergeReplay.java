package org.patientplatform.patient.lis;

import org.patientplatform.kit.roles.ConditionalOnRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Role {@code consumer-lis-patient}, at start: applies the ADT^A40 merges kept before this service handled them
 * ({@link LisInbox#replayKeptMerges}). Replicas starting together each take the rows the others have not locked;
 * a failure is logged and tried again at the next start, the kept messages staying as they were.
 */
@Component
@ConditionalOnRole("consumer-lis-patient")
class KeptMergeReplay {

	private static final Logger log = LoggerFactory.getLogger(KeptMergeReplay.class);

	private final LisInbox inbox;

	KeptMergeReplay(LisInbox inbox) {
		this.inbox = inbox;
	}

	@EventListener(ApplicationReadyEvent.class)
	void replay() {
		try {
			int applied = this.inbox.replayKeptMerges();
			if (applied > 0) {
				log.info("{} kept ADT^A40 merges applied", applied);
			}
		}
		catch (RuntimeException ex) {
			log.warn("The kept ADT^A40 merges could not be applied now; they stay kept, to be applied at the next "
					+ "start", ex);
		}
	}

}
