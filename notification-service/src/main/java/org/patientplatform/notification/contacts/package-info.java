/**
 * Contacts: the projection of each patient's contact details and preferences from
 * patient.events.v1 (phone in E.164, email, push tokens, language, timezone, quiet hours,
 * per-channel opt-in), read by the other features through
 * {@link org.patientplatform.notification.contacts.ContactDirectory}, and the preferences
 * API.
 */
@NullMarked
package org.patientplatform.notification.contacts;

import org.jspecify.annotations.NullMarked;
