/**
 * Failure patterns: entries grouped by failure fingerprint, so one bug shows up as one line however many
 * records it broke.
 */
@NullMarked
package org.patientplatform.dlq.patterns;

import org.jspecify.annotations.NullMarked;
