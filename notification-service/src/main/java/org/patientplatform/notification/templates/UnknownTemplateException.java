package org.patientplatform.notification.templates;

import org.patientplatform.notification.delivery.Channel;

/** A notification type with no template for a channel. */
public class UnknownTemplateException extends RuntimeException {

	public UnknownTemplateException(String type, Channel channel) {
		super("No template for notification type '" + type + "' on channel " + channel);
	}

}
