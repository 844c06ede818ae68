package org.patientplatform.notification.contacts;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

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
	 * <p>A notice goes to the patient in use: for the id of a patient merged into another (ADR 0022, following a
	 * chain of merges) the map holds the survivor's contact, whose {@link Contact#patientId()} the notice is then
	 * addressed to, so the survivor's details and choices apply and the notice is listed under the survivor
	 * (ADR 0023). A notice made before the merge was known stays the merged patient's.
	 * <p>Needs a transaction; the locks are held until it ends.
	 * @return by the ids asked for, the contact of the patient each notice goes to, for those that have one
	 */
	Map<String, Contact> findAllForNotices(Collection<String> patientIds);

	/**
	 * The patient a notice for each id goes to: the patient in use, the survivor of the merges the id's patient went
	 * through (ADR 0022), or the id itself.
	 * @return by the ids asked for
	 */
	Map<String, String> addressees(Collection<String> patientIds);

	/** The patient a notice for {@code patientId} goes to: the contact's (the survivor of a merge), else the id. */
	static String addressee(String patientId, @Nullable Contact contact) {
		return (contact != null) ? contact.patientId() : patientId;
	}

}
