/**
 * Cron schedules that fire once per occurrence across replicas.
 */
@NullMarked
package org.patientplatform.kit.cron;

import org.jspecify.annotations.NullMarked;
