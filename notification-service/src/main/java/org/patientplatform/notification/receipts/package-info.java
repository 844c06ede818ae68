/**
 * Receipts: what happens to a message after it is sent. The provider webhooks (role
 * {@code app}, signature-verified, no token): Twilio status callbacks relayed to
 * notification.status.v1, and inbound SMS keywords (STOP, START) applied at once; the
 * consumer of notification.status.v1 (role {@code consumer-notification-update}) that
 * moves deliveries to delivered, read or failed; the reconciliation (role {@code cron}) that
 * asks Twilio for the final status of SMS whose callbacks never came and relays it the same
 * way; and the patient's read receipt.
 */
@NullMarked
package org.patientplatform.notification.receipts;

import org.jspecify.annotations.NullMarked;
