/**
 * The local run: one process with every service and role, a real KRaft broker and PostgreSQL.
 */
@NullMarked
package org.patientplatform.local;

import org.jspecify.annotations.NullMarked;
