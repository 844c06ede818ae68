package org.patientplatform.notification.receipts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.patientplatform.notification.channels.ChannelSender;
import org.patientplatform.notification.channels.MessageStatus;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.DeliveryState;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.delivery.Notifications.UnconfirmedSend;
import org.patientplatform.notification.delivery.ReceiptStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Asks Twilio for the final status of the SMS it accepted whose status callbacks never came (this service was down
 * or unreachable when Twilio called, which Twilio does not retry for long; the local run's stand-in was killed with
 * them still to come). A delivery {@code SENT} for {@code stale-after} is fetched by its sid
 * ({@code GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json}) in bounded batches, each claimed with
 * {@code SKIP LOCKED} and marked asked as it is claimed, and:
 * <ul>
 * <li>delivered, read, undelivered, failed or canceled at Twilio: relayed as the status callback would have been
 * ({@link TwilioWebhooks#relay}, a DeliveryStatusReported on notification.status.v1 through the outbox), so the
 * receipts' consumer applies it alike: the same transitions, reasons (with Twilio's error message too), metrics and
 * fallback;</li>
 * <li>still on its way ({@code queued}, {@code sending}, {@code sent}...), unknown to Twilio (404) or not answered
 * (unreachable, a timeout, 5xx): left as it is, counted, and asked again once the message has been sent twice as
 * long as at this ask (15 min, 30 min, 1 h ... {@code give-up-after});</li>
 * <li>at the ask at or after {@code give-up-after} (72 h) still without a final status: left {@code SENT}, since
 * Twilio took it and it may well have arrived (a carrier that confirms nothing leaves it {@code sent} for good),
 * with the reason, and not asked again.</li>
 * </ul>
 * Never marks a message failed that Twilio did not report failed. Counted in {@value #METRIC} by outcome.
 */
@Service
class SmsStatusReconciliation {

	/** Deliveries asked about, by outcome (the module README lists them). */
	static final String METRIC = "notification.sms.status-reconciliation";

	/** Lookups made at once: Twilio limits an account's concurrent API requests. */
	private static final int CONCURRENT_LOOKUPS = 8;

	private static final Logger log = LoggerFactory.getLogger(SmsStatusReconciliation.class);

	private final Notifications notifications;

	private final TwilioWebhooks webhooks;

	private final Optional<ChannelSender> sms;

	private final SmsStatusProperties properties;

	private final TransactionTemplate transactions;

	private final MeterRegistry registry;

	SmsStatusReconciliation(Notifications notifications, TwilioWebhooks webhooks, List<ChannelSender> senders,
			SmsStatusProperties properties, TransactionTemplate transactions, MeterRegistry registry) {
		this.notifications = notifications;
		this.webhooks = webhooks;
		// the first in order, as the senders choose
		this.sms = senders.stream().filter((sender) -> sender.channel() == Channel.SMS).findFirst();
		this.properties = properties;
		this.transactions = transactions;
		this.registry = registry;
	}

	/**
	 * Asks about the SMS due to be asked about, a batch at a time, up to {@code max-per-run}.
	 * @param now the run's time, to the microsecond
	 * @return how many were asked about
	 */
	int reconcile(Instant now) {
		if (this.sms.isEmpty()) {
			return 0;
		}
		ChannelSender sender = this.sms.get();
		int asked = 0;
		while (asked < this.properties.maxPerRun()) {
			int limit = Math.min(this.properties.batchSize(), this.properties.maxPerRun() - asked);
			List<UnconfirmedSend> claimed = this.transactions
				.execute((tx) -> this.notifications.claimUnconfirmedSends(Channel.SMS,
						now.minus(this.properties.staleAfter()), this.properties.giveUpAfter(), now, limit));
			if (claimed == null || claimed.isEmpty()) {
				break;
			}
			asked += claimed.size();
			List<Asked> answers = lookUp(sender, claimed);
			this.transactions.executeWithoutResult((tx) -> record(answers, now));
			if (claimed.size() < limit) {
				break;
			}
		}
		if (asked > 0) {
			log.info("Asked Twilio for the status of {} SMS whose final status had not come", asked);
		}
		return asked;
	}

	private List<Asked> lookUp(ChannelSender sender, List<UnconfirmedSend> claimed) {
		List<Asked> answers = new ArrayList<>(claimed.size());
		try (ExecutorService lookups = Executors.newFixedThreadPool(CONCURRENT_LOOKUPS,
				Thread.ofVirtual().name("sms-status-", 0).factory())) {
			List<Future<MessageStatus>> futures = new ArrayList<>(claimed.size());
			for (UnconfirmedSend send : claimed) {
				futures.add(lookups.submit(() -> sender.status(send.providerMessageId())));
			}
			for (int i = 0; i < claimed.size(); i++) {
				MessageStatus status;
				try {
					status = futures.get(i).get();
				}
				catch (ExecutionException ex) {
					status = new MessageStatus.Unavailable("status lookup failed (" + ex.getCause() + ")");
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					status = new MessageStatus.Unavailable("interrupted");
				}
				answers.add(new Asked(claimed.get(i), status));
			}
		}
		return answers;
	}

	/** Relays the final statuses, and leaves with the reason the ones asked about for the last time without one. */
	private void record(List<Asked> answers, Instant now) {
		Map<UnconfirmedSend, String> givenUp = new HashMap<>();
		for (Asked answer : answers) {
			UnconfirmedSend send = answer.send();
			boolean last = !now.isBefore(send.sentAt().plus(this.properties.giveUpAfter()));
			String age = age(send.sentAt(), now);
			switch (answer.status()) {
				case MessageStatus.Known known -> {
					Optional<ReceiptStatus> receipt = TwilioWebhooks.status(known.status());
					if (receipt.isPresent()) {
						this.webhooks.relay(send.providerMessageId(), receipt.get(), TwilioWebhooks.reason(receipt.get(),
								known.status(), known.errorCode(), known.errorMessage()));
						log.info("SMS {} of delivery {}: Twilio reports it {} (its callback never came)",
								send.providerMessageId(), send.deliveryId(), known.status());
						count(known.status());
					}
					else if (last) {
						givenUp.put(send, "Twilio still reported the message " + known.status() + " " + age
								+ " after it was sent: its delivery was never confirmed, and it is no longer asked about");
					}
					else {
						count("pending");
					}
				}
				case MessageStatus.NotFound notFound -> {
					log.warn("SMS {} of delivery {}: Twilio has no such message; left as it is",
							send.providerMessageId(), send.deliveryId());
					if (last) {
						givenUp.put(send, "Twilio had no message " + send.providerMessageId() + " when asked " + age
								+ " after it was sent: its delivery was never confirmed, and it is no longer asked about");
					}
					else {
						count("not-found");
					}
				}
				case MessageStatus.Unavailable unavailable -> {
					log.warn("SMS {} of delivery {}: Twilio could not be asked for its status ({}); left as it is",
							send.providerMessageId(), send.deliveryId(), unavailable.reason());
					if (last) {
						givenUp.put(send, "Twilio could not be asked for the message's status " + age
								+ " after it was sent (" + unavailable.reason()
								+ "): its delivery was never confirmed, and it is no longer asked about");
					}
					else {
						count("unavailable");
					}
				}
			}
		}
		if (!givenUp.isEmpty()) {
			leaveUnconfirmed(givenUp, now);
		}
	}

	/** The deliveries still {@code SENT} under the message asked about keep why their status is not known. */
	private void leaveUnconfirmed(Map<UnconfirmedSend, String> givenUp, Instant now) {
		List<Notification> locked = this.notifications
			.lock(givenUp.keySet().stream().map(UnconfirmedSend::notificationId).toList());
		Map<String, Delivery> sent = new HashMap<>();
		for (Notification notification : locked) {
			notification.delivery(Channel.SMS)
				.filter((d) -> d.state() == DeliveryState.SENT && d.providerMessageId() != null && d.reason() == null)
				.ifPresent((d) -> sent.put(d.providerMessageId(), d));
		}
		List<Notification> changed = new ArrayList<>();
		givenUp.forEach((send, reason) -> {
			Delivery delivery = sent.get(send.providerMessageId());
			if (delivery == null) {
				return; // a receipt moved it on meanwhile
			}
			delivery.leaveUnconfirmed(reason, now);
			locked.stream().filter((n) -> n.id().equals(send.notificationId())).findFirst().ifPresent((n) -> {
				n.touch(now);
				changed.add(n);
			});
			log.warn("SMS {} of delivery {}: no final status within {}; left sent, no longer asked about",
					send.providerMessageId(), send.deliveryId(), this.properties.giveUpAfter());
			count("gave-up");
		});
		this.notifications.saveChanges(changed, now);
	}

	private void count(String outcome) {
		Counter.builder(METRIC)
			.description("SMS whose final status had not come, asked for at Twilio, by outcome")
			.tag("outcome", outcome)
			.register(this.registry)
			.increment();
	}

	private static String age(Instant sentAt, Instant now) {
		Duration age = Duration.between(sentAt, now);
		return (age.toHours() >= 1) ? age.toHours() + " h" : age.toMinutes() + " min";
	}

	/** What Twilio said of one claimed delivery. */
	private record Asked(UnconfirmedSend send, MessageStatus status) {
	}

}
