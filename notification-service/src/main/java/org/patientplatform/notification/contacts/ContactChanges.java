package org.patientplatform.notification.contacts;

import java.time.Instant;
import java.util.List;

/**
 * Changes other features make to contacts, each in the caller's transaction: what a
 * patient says by SMS keyword and what a provider says of an address.
 */
public interface ContactChanges {

	/**
	 * Opts every contact with this phone number in or out of SMS at once (an inbound
	 * {@code STOP} or {@code START}). It counts as a preference change at {@code at}: an
	 * older preferences event arriving later does not undo it.
	 * @param phoneE164 the number the keyword came from, in E.164
	 * @return the contacts with that number, as changed (none when the number is unknown)
	 */
	List<Contact> changeSmsOptIn(String phoneE164, boolean optIn, Instant at);

	/**
	 * Removes a push token the provider reported as no longer registered.
	 * @return how many device tokens the patient has left
	 */
	int removePushToken(String patientId, String token);

}
