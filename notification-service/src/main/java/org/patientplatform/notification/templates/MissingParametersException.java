package org.patientplatform.notification.templates;

import java.util.List;

/**
 * A notification of a type would leave out parameters its messages show: they would read "Your
 * appointment at  on  is confirmed".
 */
public class MissingParametersException extends RuntimeException {

	MissingParametersException(String type, List<String> missing) {
		super("Notification type '" + type + "' needs the parameters " + String.join(", ", missing)
				+ " (its messages show them)");
	}

}
