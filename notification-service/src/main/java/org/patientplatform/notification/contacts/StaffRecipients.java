package org.patientplatform.notification.contacts;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.delivery.Notifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Recipients who are not patients, such as the on-call ops address the DLQ service alerts
 * ({@code notification.staff-recipients}: id → email, optional phone, language, timezone).
 * On startup of every process (before its listeners and senders start), each is upserted as
 * a known contact under its id, so a request naming the id as {@code patientId} is delivered
 * like a patient's: email opted in, SMS only with a phone, never push, no quiet hours. The
 * upsert is idempotent (an unchanged recipient is not written again) and safe when several
 * processes start at once; notifications that waited for the contact get their deliveries.
 * Logs name ids only.
 */
@Component
public class StaffRecipients implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(StaffRecipients.class);

	private final StaffRecipientsProperties properties;

	private final Contacts contacts;

	private final Notifications notifications;

	private final PhoneNumberNormalizer phones;

	private final TransactionTemplate transactions;

	StaffRecipients(StaffRecipientsProperties properties, ContactsProperties contactsProperties, Contacts contacts,
			Notifications notifications, PlatformTransactionManager transactionManager) {
		this.properties = properties;
		this.contacts = contacts;
		this.notifications = notifications;
		this.phones = new PhoneNumberNormalizer(contactsProperties.defaultRegion());
		this.transactions = new TransactionTemplate(transactionManager);
	}

	/** The ids of the staff recipients: contacts that are not patients, never in a patient segment. */
	public Set<String> ids() {
		return this.properties.staffRecipients().keySet();
	}

	@Override
	public void afterSingletonsInstantiated() {
		register();
	}

	/**
	 * Upserts every configured recipient as a known contact.
	 * @return how many contacts were written (new or changed)
	 */
	int register() {
		int written = 0;
		Map<String, StaffRecipientsProperties.Recipient> recipients = this.properties.staffRecipients();
		for (Map.Entry<String, StaffRecipientsProperties.Recipient> entry : recipients.entrySet()) {
			Boolean changed = this.transactions.execute((tx) -> register(entry.getKey(), entry.getValue()));
			written += Boolean.TRUE.equals(changed) ? 1 : 0;
		}
		if (!recipients.isEmpty()) {
			log.info("Staff recipients {} registered ({} written)", recipients.keySet(), written);
		}
		return written;
	}

	private boolean register(String id, StaffRecipientsProperties.Recipient recipient) {
		this.contacts.lockDetails(List.of(id));
		Contact current = this.contacts.lockOrCreate(id, new ChannelPreferences(false, false, false));
		Contact wanted = contact(id, recipient, current.detailsAt(), current.preferencesAt(), current.localeAt());
		if (current.isKnown() && wanted.equals(current)) {
			return false;
		}
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		Contact next = contact(id, recipient, now, now, now);
		this.contacts.save(next);
		if (next.emailProblem() != null || next.phoneProblem() != null) {
			log.warn("Staff recipient {} has an unusable address: {}", id,
					(next.emailProblem() != null) ? next.emailProblem() : next.phoneProblem());
		}
		this.notifications.releaseWaitingForContact(id, next.deliveryTargets(), now);
		return true;
	}

	private Contact contact(String id, StaffRecipientsProperties.Recipient recipient, @Nullable Instant detailsAt,
			@Nullable Instant preferencesAt, @Nullable Instant localeAt) {
		PhoneNumberNormalizer.Result phone = this.phones.normalize(recipient.phone());
		EmailAddresses.Checked email = EmailAddresses.check(recipient.email());
		boolean hasPhone = recipient.phone() != null && !recipient.phone().isBlank();
		return new Contact(id, null, phone.e164(), phone.problem(), email.address(), email.problem(),
				ContactProjection.language(recipient.language()), ContactProjection.timezone(recipient.timezone()),
				new ChannelPreferences(hasPhone, true, false), null, List.of(), detailsAt, preferencesAt, localeAt);
	}

}
