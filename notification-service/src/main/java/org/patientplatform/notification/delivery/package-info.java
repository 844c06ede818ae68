/**
 * Delivery: a notification to one patient and one delivery per channel, each moving
 * through the delivery state machine; stores them and serves them to staff and to the
 * patient they belong to.
 */
@NullMarked
package org.patientplatform.notification.delivery;

import org.jspecify.annotations.NullMarked;
