package org.patientplatform.notification.sending;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.channels.OutboundMessage;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.QuietHours;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.MessageContent;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.notification.templates.MessageTemplates;
import org.patientplatform.notification.templates.RenderedMessage;
import org.patientplatform.notification.templates.UnknownTemplateException;

/**
 * Decides, when a delivery is claimed, with the patient's contact as it is at that moment,
 * whether it goes now, waits, or never goes, in this order: no contact (undeliverable);
 * not-before in the future (hold); quiet hours for a normal-priority notice (hold until
 * the window ends, in the patient's timezone; urgent ones go); the channel opted out
 * (suppressed); no usable address (undeliverable); the frequency cap (suppressed, or for a result notice
 * held for a window; urgent ones are never capped); otherwise it is rendered in the patient's language and sent.
 * Reasons never quote an address or a message.
 */
final class SendPolicy {

	/** The longest given name a message greets the patient with, in characters. */
	static final int MAX_GREETING_NAME = 60;

	/**
	 * Types a patient must hear of in the end: over the frequency cap they wait a window instead of being
	 * suppressed (a results digest, when digests are on, folds them instead).
	 */
	static final Set<String> DEFERRED_OVER_CAP = Set.of("test-result-ready", "results-digest");

	static final String DEFAULT_LANGUAGE = "en";

	private final MessageTemplates templates;

	private final PortalLinks portal;

	private final ZoneId defaultTimezone;

	private final SendingProperties.FrequencyCap cap;

	SendPolicy(MessageTemplates templates, PortalLinks portal, SendingProperties properties) {
		this.templates = templates;
		this.portal = portal;
		this.defaultTimezone = properties.defaultTimezone();
		this.cap = properties.frequencyCap();
	}

	SendDecision decide(Notification notification, Delivery delivery, @Nullable Contact contact,
			FrequencyCapTally tally, Instant now) {
		if (contact == null || !contact.isKnown()) {
			return new SendDecision.Undeliverable("The patient's contact details are not known");
		}
		Instant notBefore = notification.notBefore();
		if (notBefore != null && notBefore.isAfter(now)) {
			return new SendDecision.Hold(notBefore, "Not to be sent before " + notBefore);
		}
		if (notification.priority() == Priority.NORMAL && contact.quietHours() != null) {
			QuietHours quiet = contact.quietHours();
			Instant end = QuietHoursWindow.endIfQuiet(quiet, zone(contact), now);
			if (end != null) {
				return new SendDecision.Hold(end, "Quiet hours in the patient's timezone until " + quiet.end());
			}
		}
		Channel channel = delivery.channel();
		if (!optedIn(contact, channel)) {
			return new SendDecision.Suppress("The patient opted out of " + channel);
		}
		String recipient = address(contact, channel);
		if (recipient == null) {
			return new SendDecision.Undeliverable(noAddress(contact, channel));
		}
		if (notification.priority() == Priority.NORMAL && tally.exceeded(notification)) {
			String over = "Frequency cap: " + this.cap.count() + " notifications of type " + notification.type()
					+ " to this patient within " + describe(this.cap.window());
			if (DEFERRED_OVER_CAP.contains(notification.type())) {
				// a result the patient is never told about is worse than one told later: held for a window, then
				// weighed against the cap again
				return new SendDecision.Hold(now.plus(this.cap.window()), over + "; held, not dropped");
			}
			return new SendDecision.Suppress(over);
		}
		String language = (contact.language() != null) ? contact.language() : DEFAULT_LANGUAGE;
		String link = this.portal.notificationUrl(notification.id().toString());
		RenderedMessage rendered;
		try {
			rendered = this.templates.render(notification.type(), channel, language,
					parameters(notification, contact, link));
		}
		catch (UnknownTemplateException ex) {
			return new SendDecision.Undeliverable(ex.getMessage());
		}
		catch (RuntimeException ex) {
			// the engine's message could quote a parameter
			return new SendDecision.Undeliverable("The " + notification.type() + " message for " + channel
					+ " could not be rendered (" + ex.getClass().getSimpleName() + ")");
		}
		MessageContent content = new MessageContent(recipient, rendered.subject(), rendered.text());
		return new SendDecision.Send(content, message(notification, delivery, content, rendered.html(), link));
	}

	/** The message of an attempt as it was sent, from what was stored (no HTML part). */
	OutboundMessage storedMessage(Notification notification, Delivery delivery, MessageContent content) {
		return message(notification, delivery, content, null,
				this.portal.notificationUrl(notification.id().toString()));
	}

	private static OutboundMessage message(Notification notification, Delivery delivery, MessageContent content,
			@Nullable String html, String link) {
		Map<String, String> data = (delivery.channel() == Channel.PUSH)
				? Map.of("notificationId", notification.id().toString(), "type", notification.type(), "link", link)
				: Map.of();
		return new OutboundMessage(delivery.id().toString(), notification.id().toString(), delivery.channel(),
				content.recipient(), content.subject(), content.text(), html, data);
	}

	private static Map<String, String> parameters(Notification notification, Contact contact, String link) {
		Map<String, String> parameters = new HashMap<>(notification.parameters());
		// a greeting, not a record: a name longer than any real one (a feed's error) is left out, or it would
		// push an SMS past the provider's length limit and the patient would get nothing
		if (contact.givenName() != null
				&& contact.givenName().codePointCount(0, contact.givenName().length()) <= MAX_GREETING_NAME) {
			parameters.put("givenName", contact.givenName());
		}
		parameters.put("portalUrl", link);
		return parameters;
	}

	private ZoneId zone(Contact contact) {
		if (contact.timezone() != null) {
			try {
				return ZoneId.of(contact.timezone());
			}
			catch (DateTimeException ex) {
				// stored ids are checked on the way in; fall through for one the JVM lost
			}
		}
		return this.defaultTimezone;
	}

	static boolean optedIn(Contact contact, Channel channel) {
		return switch (channel) {
			case SMS -> contact.channels().sms();
			case EMAIL -> contact.channels().email();
			case PUSH -> contact.channels().push();
		};
	}

	/** The address to use on the channel: for push, the most recently registered device. */
	static @Nullable String address(Contact contact, Channel channel) {
		return switch (channel) {
			case SMS -> contact.phone();
			case EMAIL -> contact.email();
			case PUSH -> {
				List<String> tokens = contact.pushTokens();
				yield tokens.isEmpty() ? null : tokens.getLast();
			}
		};
	}

	private static String noAddress(Contact contact, Channel channel) {
		return switch (channel) {
			case SMS -> (contact.phoneProblem() != null) ? contact.phoneProblem() : Contact.NO_PHONE;
			case EMAIL -> (contact.emailProblem() != null) ? contact.emailProblem() : Contact.NO_EMAIL;
			case PUSH -> Contact.NO_PUSH_DEVICE;
		};
	}

	private static String describe(Duration window) {
		return window.toString().substring(2).toLowerCase();
	}

}
