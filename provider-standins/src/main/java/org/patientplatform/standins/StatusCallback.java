package org.patientplatform.standins;

import java.time.Instant;
import java.util.Map;

/**
 * A status callback the SMS stand-in made.
 *
 * @param messageSid the message
 * @param messageStatus the status it reported
 * @param url where it went
 * @param params the form parameters it posted
 * @param signature its {@code X-Twilio-Signature}
 * @param responseStatus the HTTP status answered, or -1 when the call failed
 * @param at when it was made
 */
public record StatusCallback(String messageSid, String messageStatus, String url, Map<String, String> params,
		String signature, int responseStatus, Instant at) {

}
