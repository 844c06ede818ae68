/**
 * Capture: turns each record on dlq.messages.v1 into a stored, encrypted dead-letter entry, and serves entries to operators.
 */
@NullMarked
package org.patientplatform.dlq.capture;

import org.jspecify.annotations.NullMarked;
