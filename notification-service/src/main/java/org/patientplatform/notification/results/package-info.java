/**
 * Results: turns each TestResultReady from lab.test-results.v1 into one result-ready
 * notification with a delivery per channel the patient prefers, a whole poll per
 * transaction.
 */
@NullMarked
package org.patientplatform.notification.results;

import org.jspecify.annotations.NullMarked;
