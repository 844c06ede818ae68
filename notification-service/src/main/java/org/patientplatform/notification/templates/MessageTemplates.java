package org.patientplatform.notification.templates;

import java.util.Map;

import org.patientplatform.notification.delivery.Channel;

/** Renders notification types for a channel and language. */
public interface MessageTemplates {

	/**
	 * Renders a type's template.
	 * @param type the notification type, e.g. {@code test-result-ready}
	 * @param channel the channel
	 * @param language a BCP 47 language tag (e.g. {@code es}, {@code es-MX}); unknown
	 * languages fall back to English
	 * @param parameters the values the template may use; a template never shows a
	 * parameter it does not name
	 * @throws UnknownTemplateException when the type has no template for the channel
	 */
	RenderedMessage render(String type, Channel channel, String language, Map<String, String> parameters);

	/** True when the type has a template for the channel. */
	boolean exists(String type, Channel channel);

}
