/**
 * Kafka conventions: health of the broker connection.
 */
@NullMarked
package org.patientplatform.kit.kafka;

import org.jspecify.annotations.NullMarked;
