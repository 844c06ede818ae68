package org.patientplatform.booking;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Runs what only a committed change may do (count it in a meter) once the current transaction commits. */
public final class AfterCommit {

	private AfterCommit() {
	}

	/** Runs the action when the current transaction commits, never when it rolls back; at once without one. */
	public static void run(Runnable action) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					action.run();
				}
			});
		}
		else {
			action.run();
		}
	}

}
