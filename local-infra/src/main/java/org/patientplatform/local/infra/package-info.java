/**
 * Starts the real infrastructure the platform needs outside production: a single-node KRaft Kafka
 * broker built from Kafka's own artifacts and a PostgreSQL server (the one configured, the machine's,
 * or an embedded one), for the local run and for integration tests.
 */
@NullMarked
package org.patientplatform.local.infra;

import org.jspecify.annotations.NullMarked;
