/**
 * Local stand-ins for the notification providers, speaking their wire formats: a
 * Twilio-compatible Messages API, FCM HTTP v1 with a Google-style OAuth2 token endpoint,
 * and GreenMail for SMTP; with fault injection and one listing of every message sent.
 * Entry point: {@link org.patientplatform.standins.ProviderStandins}. Never part of a
 * deployment.
 */
@NullMarked
package org.patientplatform.standins;

import org.jspecify.annotations.NullMarked;
