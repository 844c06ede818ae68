/**
 * Idempotent consumption: a processed-message row per (consumer group, event id) written with the effect.
 */
@NullMarked
package org.patientplatform.kit.consumption;

import org.jspecify.annotations.NullMarked;
