/**
 * Sending: the {@code wrk--notifications} senders that work the delivery table as their
 * queue (claim due deliveries in batches, apply policy, record the attempt, call the
 * providers, record the outcomes), reconcile attempts whose outcome is unknown, fall back
 * between channels, and measure it all.
 */
@NullMarked
package org.patientplatform.notification.sending;

import org.jspecify.annotations.NullMarked;
