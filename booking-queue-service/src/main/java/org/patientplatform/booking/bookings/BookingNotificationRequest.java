package org.patientplatform.booking.bookings;

import java.util.Map;

/**
 * The notification service's {@code notification.NotificationRequested.v1} as this service sends it on
 * {@code notification.requests.v1} (key: the patient id): one of the notification service's booking types
 * with the parameters its templates show ({@code siteName}, {@code startsAt}; the sender adds the patient's
 * name and the portal link). No channels (the patient's preferences), no priority ({@code NORMAL}), no
 * not-before. Documented in {@code docs/events/notification.NotificationRequested.v1.booking-*.json}.
 *
 * @param patientId the patient service's id of the patient (a UUID, lower case)
 * @param idempotencyKey {@code booking:<booking id>:confirmed} or {@code …:cancelled}: one notification per
 * booking and change, however often it is asked for
 */
record BookingNotificationRequest(String patientId, String type, Map<String, String> parameters,
		String idempotencyKey) {

	static final String EVENT_TYPE = "notification.NotificationRequested.v1";

	static final String CONFIRMED = "booking-confirmed";

	static final String CANCELLED = "booking-cancelled";

}
