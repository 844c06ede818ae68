/**
 * Requests: notifications other services ask for, from notification.requests.v1 (role
 * {@code consumer-notification}) and the send API (role {@code app}), and their
 * cancellation by idempotency key.
 */
@NullMarked
package org.patientplatform.notification.requests;

import org.jspecify.annotations.NullMarked;
