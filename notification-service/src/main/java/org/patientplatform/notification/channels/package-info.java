/**
 * Channels: the providers a delivery goes out through (email over SMTP, SMS through a
 * Twilio-compatible REST API, push through FCM HTTP v1), each behind {@link ChannelSender}.
 */
@NullMarked
package org.patientplatform.notification.channels;

import org.jspecify.annotations.NullMarked;
