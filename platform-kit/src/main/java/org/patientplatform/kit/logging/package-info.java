/**
 * Structured logs: which service a log line belongs to when several run in one JVM (the local run).
 */
@NullMarked
package org.patientplatform.kit.logging;

import org.jspecify.annotations.NullMarked;
