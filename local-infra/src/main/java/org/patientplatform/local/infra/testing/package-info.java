/**
 * Gives each integration-test application context its own real infrastructure: a fresh database on
 * the machine's (or an embedded) PostgreSQL, its own KRaft broker, and a signing key for tokens.
 */
@NullMarked
package org.patientplatform.local.infra.testing;

import org.jspecify.annotations.NullMarked;
