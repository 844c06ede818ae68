/**
 * Helpers for a service's own meters.
 */
@NullMarked
package org.patientplatform.kit.metrics;

import org.jspecify.annotations.NullMarked;
