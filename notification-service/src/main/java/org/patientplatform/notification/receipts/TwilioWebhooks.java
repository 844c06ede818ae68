package org.patientplatform.notification.receipts;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.consumption.ProcessedMessages;
import org.patientplatform.kit.outbox.Outbox;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.ContactChanges;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.NotificationId;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.delivery.ReceiptStatus;
import org.patientplatform.notification.templates.MessageTemplates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the Twilio webhooks do once their signature is verified, each in the request's
 * transaction: a status callback becomes a DeliveryStatusReported on
 * notification.status.v1 (through the outbox); an inbound STOP or START changes the SMS
 * opt-in of every contact with the sender's number at once, audited, and answers the
 * confirmation to text back. Logs carry ids only, never the number or the text.
 */
@Service
class TwilioWebhooks {

	private static final Logger log = LoggerFactory.getLogger(TwilioWebhooks.class);

	static final String PROVIDER = "twilio";

	/** The processed-message group of inbound messages, whose ids are Twilio's MessageSids. */
	static final String INBOUND_GROUP = "notification-service.twilio-inbound";

	static final String OPT_OUT_TEMPLATE = "sms-opt-out-confirmation";

	static final String OPT_IN_TEMPLATE = "sms-opt-in-confirmation";

	static final String OPT_OUT_TEXT = "You will get no more text messages from us. Reply START to get them again.";

	static final String OPT_IN_TEXT = "You will get our text messages again. Reply STOP to stop them.";

	private final Notifications notifications;

	private final ContactChanges contacts;

	private final MessageTemplates templates;

	private final Outbox outbox;

	private final AuditLog audit;

	private final ReceiptsProperties properties;

	private final ProcessedMessages processed;

	private final Clock clock;

	TwilioWebhooks(Notifications notifications, ContactChanges contacts, MessageTemplates templates, Outbox outbox,
			AuditLog audit, ReceiptsProperties properties, ProcessedMessages processed, ObjectProvider<Clock> clock) {
		this.notifications = notifications;
		this.contacts = contacts;
		this.templates = templates;
		this.outbox = outbox;
		this.audit = audit;
		this.properties = properties;
		this.processed = processed;
		this.clock = clock.getIfAvailable(Clock::systemUTC);
	}

	/**
	 * Relays a status callback. Statuses on the way (queued, sending, sent) are not
	 * relayed: only delivered, read, failed, undelivered and canceled move a delivery.
	 * @return true when a receipt was relayed
	 */
	@Transactional
	boolean reportStatus(Map<String, String> params) {
		String messageSid = params.get("MessageSid");
		Optional<ReceiptStatus> status = status(params.get("MessageStatus"));
		if (messageSid == null || messageSid.isBlank() || status.isEmpty()) {
			return false;
		}
		relay(messageSid, status.get(), reason(status.get(), params.get("MessageStatus"), params.get("ErrorCode"), null));
		return true;
	}

	/**
	 * Relays what Twilio reported of a message as a DeliveryStatusReported on notification.status.v1, through the
	 * outbox, in the caller's transaction: a status callback's, or the status the reconciliation fetched when the
	 * callback never came ({@link SmsStatusReconciliation}), so both are applied by the same consumer alike.
	 */
	void relay(String messageSid, ReceiptStatus status, @Nullable String reason) {
		Optional<NotificationId> notification = this.notifications.findIdByProviderMessage(Channel.SMS, messageSid);
		DeliveryStatusReported receipt = new DeliveryStatusReported(notification.map(NotificationId::toString).orElse(null),
				Channel.SMS, PROVIDER, messageSid, status, reason, now());
		// keyed by notification, so its receipts stay in order; by message when it is not known yet
		this.outbox.append(this.properties.statusTopic(), notification.map(NotificationId::toString).orElse(messageSid),
				DeliveryStatusReported.TYPE, receipt);
	}

	/**
	 * The reason a failed, undelivered or canceled message ends with: Twilio's status, its error code and, when known
	 * (the Message resource has it, a callback does not), its error message; none for a delivered or read one.
	 */
	static @Nullable String reason(ReceiptStatus status, String twilioStatus, @Nullable String errorCode,
			@Nullable String errorMessage) {
		return switch (status) {
			case FAILED, UNDELIVERABLE -> "Twilio reported the message " + twilioStatus
					+ ((errorCode != null && !errorCode.isBlank()) ? " (error " + errorCode
							+ ((errorMessage != null && !errorMessage.isBlank()) ? ": " + errorMessage : "") + ")"
							: "");
			case DELIVERED, READ -> null;
		};
	}

	/**
	 * The receipt a Twilio message status makes, none for a status on the way ({@code queued}, {@code sending},
	 * {@code sent}...). {@code canceled} (a scheduled message canceled before its send time) ends the delivery as
	 * {@code undelivered} does: the message never reached the patient, and left {@code SENT} it was asked about for 72 h
	 * and given up as never confirmed.
	 */
	static Optional<ReceiptStatus> status(@Nullable String twilioStatus) {
		if (twilioStatus == null) {
			return Optional.empty();
		}
		return switch (twilioStatus) {
			case "delivered" -> Optional.of(ReceiptStatus.DELIVERED);
			case "read" -> Optional.of(ReceiptStatus.READ);
			case "failed" -> Optional.of(ReceiptStatus.FAILED);
			case "undelivered", "canceled" -> Optional.of(ReceiptStatus.UNDELIVERABLE);
			default -> Optional.empty();
		};
	}

	/**
	 * Applies an inbound message: a keyword changes the opt-in of the sender's number. Each message
	 * (its {@code MessageSid}) is applied once: Twilio retries a webhook it got no answer to, and a signed
	 * request can be replayed, and either would text the confirmation again, or put back an opt-out the
	 * patient has since undone with START.
	 * @return the confirmation to text back, or empty for any other message and for a message applied
	 * before
	 */
	@Transactional
	Optional<String> inbound(@Nullable String from, @Nullable String body, @Nullable String messageSid) {
		Optional<SmsKeyword> keyword = SmsKeyword.of(body);
		if (keyword.isEmpty() || from == null || from.isBlank()) {
			return Optional.empty();
		}
		String sid = (messageSid != null) ? messageSid.strip() : "";
		if (!sid.isEmpty() && !this.processed.markProcessed(INBOUND_GROUP, PROVIDER, sid)) {
			log.info("Inbound SMS {} was applied before; it changes nothing and is not confirmed again", sid);
			return Optional.empty();
		}
		boolean optIn = keyword.get() == SmsKeyword.OPT_IN;
		List<Contact> changed = this.contacts.changeSmsOptIn(from.strip(), optIn, now());
		String action = optIn ? "sms.opt-in" : "sms.opt-out";
		for (Contact contact : changed) {
			this.audit.record(action, "patient", contact.patientId(), "applied",
					(optIn ? "START" : "STOP") + " keyword texted from the patient's number");
		}
		if (changed.isEmpty()) {
			this.audit.record(action, "phone", null, "no-contact", "keyword texted from a number no contact has");
		}
		log.info("SMS {} applied to {} contact(s)", optIn ? "opt-in" : "opt-out", changed.size());
		String language = changed.stream().map(Contact::language).filter((l) -> l != null).findFirst().orElse("en");
		return Optional.of(confirmation(optIn ? OPT_IN_TEMPLATE : OPT_OUT_TEMPLATE, optIn ? OPT_IN_TEXT : OPT_OUT_TEXT,
				language));
	}

	private String confirmation(String template, String fallback, String language) {
		if (!this.templates.exists(template, Channel.SMS)) {
			return fallback;
		}
		try {
			return this.templates.render(template, Channel.SMS, language, Map.of()).text();
		}
		catch (RuntimeException ex) {
			log.warn("Template {} could not be rendered ({}); the fixed confirmation is sent", template,
					ex.getClass().getSimpleName());
			return fallback;
		}
	}

	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
