/**
 * Reminders: rules that remind a patient on a schedule (a cron expression in the
 * patient's timezone, or a fixed interval), and the {@code cron} task that creates each
 * due occurrence's notification exactly once.
 */
@NullMarked
package org.patientplatform.notification.reminders;

import org.jspecify.annotations.NullMarked;
