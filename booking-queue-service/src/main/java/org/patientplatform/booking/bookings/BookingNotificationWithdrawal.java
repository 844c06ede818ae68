package org.patientplatform.booking.bookings;

/**
 * The notification service's {@code notification.NotificationCancelled.v1} as this service sends it on
 * {@code notification.requests.v1} (key: the patient id, as its request, so it follows it): a cancelled
 * booking's confirmation is withdrawn, so that a patient who books and cancels at once is not told
 * "confirmed" after the fact. What the notification service sent already stays sent. Documented in
 * {@code docs/events/notification.NotificationCancelled.v1.booking-confirmed.json}.
 *
 * @param idempotencyKey the confirmation's key, {@code booking:<booking id>:confirmed}
 * @param reason shown on the withdrawn deliveries
 * @param patientId the patient service's id of the patient (the record key)
 */
record BookingNotificationWithdrawal(String idempotencyKey, String reason, String patientId) {

	static final String EVENT_TYPE = "notification.NotificationCancelled.v1";

	static final String REASON = "The booking was cancelled";

}
