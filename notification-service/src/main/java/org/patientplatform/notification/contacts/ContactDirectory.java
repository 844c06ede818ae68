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

}
