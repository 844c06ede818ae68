/**
 * A test service using the kit: one listener, one endpoint, one job type, one cron task.
 */
@NullMarked
package org.patientplatform.kit.testapp;

import org.jspecify.annotations.NullMarked;
