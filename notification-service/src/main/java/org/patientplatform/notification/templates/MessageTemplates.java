package org.patientplatform.notification.templates;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
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

	/** Parameters the sender adds to every message itself: the patient's given name and the portal link. */
	Set<String> SUPPLIED = Set.of("givenName", "portalUrl");

	/**
	 * The parameters the type's templates show whatever the values (outside any {@code {{#section}}}),
	 * on any channel.
	 */
	default Set<String> parameters(String type) {
		return Set.of();
	}

	/**
	 * Checks that {@code parameters} (with values that are not blank) and the sender ({@link #SUPPLIED})
	 * give every parameter the type's templates show.
	 * @throws MissingParametersException naming the others, sorted
	 */
	default void requireParameters(String type, @Nullable Map<String, String> parameters) {
		List<String> missing = parameters(type).stream()
			.filter((name) -> !SUPPLIED.contains(name))
			.filter((name) -> parameters == null || parameters.get(name) == null || parameters.get(name).isBlank())
			.sorted()
			.toList();
		if (!missing.isEmpty()) {
			throw new MissingParametersException(type, missing);
		}
	}

}
