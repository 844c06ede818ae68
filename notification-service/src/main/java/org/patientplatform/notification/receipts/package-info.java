/**
 * Receipts: what happens to a message after it is sent. The provider webhooks (role
 * {@code app}, signature-verified, no token): Twilio status callbacks relayed to
 * notification.status.v1, and inbound SMS keywords (STOP, START) applied at once; the
 * consumer of notification.status.v1 (role {@code consumer-notification-update}) that
 * moves deliveries to delivered, read or failed; and the patient's read receipt.
 */
@NullMarked
package org.patientplatform.notification.receipts;

import org.jspecify.annotations.NullMarked;
