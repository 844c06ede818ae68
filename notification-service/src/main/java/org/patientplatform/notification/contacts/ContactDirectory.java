package org.patientplatform.notification.contacts;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * How the other features read patients' contacts. A patient may have a contact before
 * their details arrived (preferences came first): check {@link Contact#isKnown()}.
 */
public interface ContactDirectory {

	Optional<Contact> find(String patientId);

	/** The contacts of those patients that have one, by patient id. */
	Map<String, Contact> findAll(Collection<String> patientIds);

	/**
	 * The contacts of those patients that have one, for a caller that parks, in its transaction, a notice
	 * of a patient whose details are not known ({@link Contact#isKnown()}). For those patients it first
	 * takes the lock that the projection takes before it records details and releases the notices waiting
	 * for them, then reads them again. A notice parked after this call is therefore either released by the
	 * projection once this transaction commits, or not parked at all because the details arrived. With
	 * {@link #findAll}, details committed between the read and the park were never matched with the
	 * notice, which then waited until it expired.
	 * <p>Needs a transaction; the locks are held until it ends.
	 */
	Map<String, Contact> findAllForNotices(Collection<String> patientIds);

}
