package org.patientplatform.notification.sending;

import java.net.URI;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where patients read their notifications ({@code notification.portal-base-url}): every
 * message carries a link to {@code <portal-base-url>/notifications/<id>}, never a result.
 */
@ConfigurationProperties("notification")
record PortalLinks(@DefaultValue("http://127.0.0.1:8080/portal") URI portalBaseUrl) {

	String notificationUrl(String notificationId) {
		String base = this.portalBaseUrl.toString();
		return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/notifications/" + notificationId;
	}

}
