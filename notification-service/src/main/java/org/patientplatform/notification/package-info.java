/**
 * The notification service (pat--notification--be): test-result notices and patient
 * messages over SMS, email and push. Holds the application, the topics it owns and the
 * caller checks its endpoints share.
 */
@NullMarked
package org.patientplatform.notification;

import org.jspecify.annotations.NullMarked;
