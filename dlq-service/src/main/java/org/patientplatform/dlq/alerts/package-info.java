/**
 * Ops alerts: a permanent failure, a new failure pattern, a volume spike (of all failures or of one pattern)
 * and an old unresolved entry are
 * enqueued as de-duplicated kit jobs on the {@code notifications} queue (in the transaction of their
 * cause where there is one); the {@code wrk--notifications} worker turns each into a
 * {@code notification.NotificationRequested.v1} (outbox) and a Slack-compatible webhook, rate limited per
 * alert type.
 */
@NullMarked
package org.patientplatform.dlq.alerts;

import org.jspecify.annotations.NullMarked;
