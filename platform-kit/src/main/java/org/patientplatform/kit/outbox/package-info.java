/**
 * Transactional outbox: events written with the change in one transaction and relayed to Kafka in order per key.
 */
@NullMarked
package org.patientplatform.kit.outbox;

import org.jspecify.annotations.NullMarked;
