package org.patientplatform.notification.sending;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.notification.channels.ChannelSender;
import org.patientplatform.notification.channels.LookupResult;
import org.patientplatform.notification.channels.SendResult;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.ContactChanges;
import org.patientplatform.notification.contacts.ContactDirectory;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.Delivery;
import org.patientplatform.notification.delivery.DeliveryId;
import org.patientplatform.notification.delivery.DeliveryQueue;
import org.patientplatform.notification.delivery.DeliveryState;
import org.patientplatform.notification.delivery.MessageContent;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.NotificationId;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.delivery.Notifications.ParkedReceipt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.annotation.Transactional;

/**
 * The senders' transactions, each over a whole batch: the claim (policy applied and every
 * attempt recorded as {@code SENDING}, committed before any provider is called), the
 * outcomes of a batch of sends, the stale attempts to reconcile and the outcomes of
 * their lookups. Logs carry ids and counts only.
 */
class SendBatches {

	private static final Logger log = LoggerFactory.getLogger(SendBatches.class);

	private final DeliveryQueue queue;

	private final Notifications notifications;

	private final ContactDirectory contacts;

	private final ContactChanges contactChanges;

	private final SendPolicy policy;

	private final ChannelSenders senders;

	private final FallbackPolicy fallback;

	private final NotificationMetrics metrics;

	private final SendingProperties properties;

	private final RetryBackoff backoff;

	private final AuditLog audit;

	private final Clock clock;

	SendBatches(DeliveryQueue queue, Notifications notifications, ContactDirectory contacts,
			ContactChanges contactChanges, SendPolicy policy, ChannelSenders senders, FallbackPolicy fallback,
			NotificationMetrics metrics, SendingProperties properties, AuditLog audit, Clock clock) {
		this.audit = audit;
		this.queue = queue;
		this.notifications = notifications;
		this.contacts = contacts;
		this.contactChanges = contactChanges;
		this.policy = policy;
		this.senders = senders;
		this.fallback = fallback;
		this.metrics = metrics;
		this.properties = properties;
		this.backoff = new RetryBackoff(properties.backoff(), RandomGenerator.getDefault());
		this.clock = clock;
	}

	/**
	 * Claims due deliveries of one channel and decides each with its patient's contact read
	 * now: held, suppressed, undeliverable (with fallback) or recorded as an attempt.
	 */
	@Transactional
	Claimed claim(int limit, Channel channel) {
		return claim(limit, channel, (attempts) -> {
		});
	}

	/**
	 * Claims as {@link #claim(int, Channel)} does, and hands {@code prepared} the attempts once only the commit is
	 * left: a commit that fails may have been made all the same (its answer lost with the connection as the database
	 * went away), and {@link #takeUp} then finds them.
	 */
	@Transactional
	Claimed claim(int limit, Channel channel, Consumer<List<Attempt>> prepared) {
		Instant now = now();
		DeliveryQueue.Claim claim = this.queue.claimDue(limit, channel, now);
		if (claim.deliveries().isEmpty()) {
			return new Claimed(0, List.of());
		}
		List<String> patientIds = claim.notifications().stream().map(Notification::patientId).distinct().toList();
		Map<String, Contact> known = this.contacts.findAll(patientIds);
		FrequencyCapTally tally = new FrequencyCapTally(this.properties.frequencyCap().count(),
				this.queue.findRecentSends(patientIds, now.minus(this.properties.frequencyCap().window())));
		List<Attempt> attempts = new ArrayList<>();
		for (Notification notification : claim.notifications()) {
			Contact contact = known.get(notification.patientId());
			boolean failed = false;
			for (Delivery delivery : notification.deliveries()) {
				if (claim.deliveries().contains(delivery.id())) {
					failed |= decide(notification, delivery, contact, tally, attempts, now);
				}
			}
			if (failed) {
				this.fallback.afterFailure(notification, contact, now);
			}
			notification.touch(now);
		}
		this.metrics.countTransitions(claim.notifications());
		this.notifications.saveChanges(claim.notifications(), now);
		prepared.accept(List.copyOf(attempts));
		return new Claimed(claim.deliveries().size(), attempts);
	}

	/**
	 * Takes up the attempts of a claim whose commit failed, as far as it was made: each attempt still
	 * {@code SENDING} as the claim left it (the same attempt, started at one of {@code startedAt}) starts again at
	 * {@code now}, so reconciliation waits for it as for a new attempt, and is returned to be sent. The others were
	 * not committed (they are claimed again in their turn) or have moved on since.
	 * @param startedAt the starts the attempts may have: the claim's, and that of each earlier take-up whose commit
	 * failed too
	 * @param now the new start, to the microsecond
	 */
	@Transactional
	List<Attempt> takeUp(List<Attempt> claimed, Set<Instant> startedAt, Instant now) {
		if (claimed.isEmpty()) {
			return List.of();
		}
		Batch batch = new Batch(this.notifications.lock(claimed.stream().map(Attempt::notificationId).toList()));
		List<Attempt> takenUp = new ArrayList<>();
		Set<Notification> changed = new LinkedHashSet<>();
		for (Attempt attempt : claimed) {
			Delivery delivery = batch.current(attempt);
			if (delivery == null || !startedAt.contains(delivery.sendingStartedAt())) {
				continue;
			}
			delivery.resumeSending(now);
			takenUp.add(new Attempt(attempt.notificationId(), attempt.deliveryId(), attempt.attempt(), now,
					attempt.message(), attempt.sender()));
			changed.add(batch.owner(delivery.id()));
		}
		this.notifications.saveChanges(changed, now);
		return takenUp;
	}

	/** @return true when the delivery ended undeliverable */
	private boolean decide(Notification notification, Delivery delivery, @Nullable Contact contact,
			FrequencyCapTally tally, List<Attempt> attempts, Instant now) {
		switch (this.policy.decide(notification, delivery, contact, tally, now)) {
			case SendDecision.Send send -> {
				Optional<ChannelSender> sender = this.senders.of(delivery.channel());
				if (sender.isEmpty()) {
					delivery.markUndeliverable("No provider is configured for " + delivery.channel(), now);
					return true;
				}
				delivery.startSending(send.content(), now);
				tally.sending(notification);
				attempts.add(new Attempt(notification.id(), delivery.id(), delivery.attempts(), now, send.message(),
						sender.get()));
				return false;
			}
			case SendDecision.Hold hold -> {
				delivery.scheduleFor(hold.at(), hold.reason(), now);
				return false;
			}
			case SendDecision.Suppress suppress -> {
				delivery.suppress(suppress.reason(), now);
				return false;
			}
			case SendDecision.Undeliverable undeliverable -> {
				delivery.markUndeliverable(undeliverable.reason(), now);
				return true;
			}
		}
	}

	/**
	 * Records the answers of a batch of sends: accepted ones {@code SENT}, retryable ones
	 * {@code SCHEDULED} with backoff (never before Retry-After) until the attempts run
	 * out, refused ones {@code FAILED} or {@code UNDELIVERABLE} (an unregistered push
	 * token is dropped from the contact; a number the SMS provider says opted out is opted out
	 * of SMS) with fallback, unknown ones left {@code SENDING}
	 * for reconciliation. An answer for a delivery that moved on meanwhile is ignored.
	 */
	@Transactional
	void record(List<Outcome> outcomes) {
		if (outcomes.isEmpty()) {
			return;
		}
		Instant now = now();
		Batch batch = new Batch(this.notifications.lock(outcomes.stream().map((o) -> o.attempt().notificationId()).toList()));
		for (Outcome outcome : outcomes) {
			Attempt attempt = outcome.attempt();
			Delivery delivery = batch.current(attempt);
			if (delivery == null) {
				if (outcome.result() instanceof SendResult.Accepted accepted) {
					batch.acceptedAfterRead(attempt, accepted.providerMessageId());
				}
				continue;
			}
			Notification notification = batch.owner(delivery.id());
			SendResult result = outcome.result();
			switch (result) {
				case null -> delivery.returnUnsent("Not sent in its batch (provider rate limit); queued again", now);
				case SendResult.Accepted accepted -> {
					delivery.markSent(accepted.providerMessageId(), now);
					batch.accepted(delivery);
					Instant sourceEventAt = notification.sourceEventAt();
					if (sourceEventAt != null) {
						this.metrics.endToEnd(Duration.between(sourceEventAt, outcome.answeredAt()));
					}
				}
				case SendResult.RetryLater retry -> {
					this.metrics.providerError(attempt.provider(), "retry-later");
					if (delivery.attempts() >= this.properties.maxAttempts()) {
						delivery.markFailed(retry.reason() + "; gave up after " + delivery.attempts() + " attempts", now);
						batch.failed(notification);
					}
					else {
						delivery.scheduleRetry(this.backoff.retryAt(delivery.attempts(), retry.retryAfter(), now),
								retry.reason(), now);
					}
				}
				case SendResult.Rejected rejected -> {
					this.metrics.providerError(attempt.provider(), "rejected");
					if (rejected.recipientInvalid()) {
						MessageContent content = delivery.content();
						int devicesLeft = (delivery.channel() == Channel.PUSH && content != null)
								? this.contactChanges.removePushToken(notification.patientId(), content.recipient()) : 0;
						if (devicesLeft > 0 && delivery.attempts() < this.properties.maxAttempts()) {
							// the patient's newest device is gone, not the patient: their next device is tried at once
							// (before, push ended here and fell back to SMS although another device was registered)
							delivery.scheduleRetry(now, rejected.reason() + "; the token was removed and the patient's "
									+ "next device is tried", now);
						}
						else {
							delivery.markUndeliverable(rejected.reason(), now);
							batch.failed(notification);
						}
					}
					else {
						if (rejected.recipientOptedOut() && delivery.channel() == Channel.SMS) {
							optOutOfSms(delivery, now);
						}
						delivery.markFailed(rejected.reason(), now);
						batch.failed(notification);
					}
				}
				case SendResult.Unknown unknown -> {
					this.metrics.providerError(attempt.provider(), "unknown");
					delivery.recordUnknownOutcome(unknown.reason(), now);
				}
			}
		}
		finish(batch, now);
	}

	/**
	 * Records the SMS opt-out the provider reported (Twilio 21610: the number texted STOP, which the provider
	 * honours before this service hears of it, or whose inbound webhook was lost) as an inbound STOP is recorded:
	 * for every contact with the number, audited. Without it each later notice tried SMS again and ended
	 * {@code FAILED} while the preferences still said SMS; now the sender suppresses SMS, and the fallback (read
	 * after this, in the same transaction) passes it by.
	 */
	private void optOutOfSms(Delivery delivery, Instant now) {
		MessageContent content = delivery.content();
		if (content == null) {
			return;
		}
		List<Contact> changed = this.contactChanges.changeSmsOptIn(content.recipient(), false, now);
		for (Contact contact : changed) {
			this.audit.record("sms.opt-out", "patient", contact.patientId(), "applied",
					"the SMS provider reported the number opted out (STOP)");
		}
		log.info("SMS opt-out reported by the provider for delivery {} applied to {} contact(s)", delivery.id(),
				changed.size());
	}

	/**
	 * The attempts that have been {@code SENDING} longer than the reconciliation timeout:
	 * their process died during the call, or the provider's answer never came.
	 */
	@Transactional(readOnly = true)
	List<Attempt> staleAttempts(int limit) {
		Instant now = now();
		List<DeliveryQueue.StaleAttempt> stale = this.queue
			.findStaleSending(now.minus(this.properties.reconcileAfter()), limit);
		if (stale.isEmpty()) {
			return List.of();
		}
		Map<NotificationId, Notification> byId = new HashMap<>();
		this.queue.findAll(stale.stream().map(DeliveryQueue.StaleAttempt::notificationId).toList())
			.forEach((n) -> byId.put(n.id(), n));
		List<Attempt> attempts = new ArrayList<>();
		for (DeliveryQueue.StaleAttempt candidate : stale) {
			Notification notification = byId.get(candidate.notificationId());
			Delivery delivery = (notification != null) ? find(notification, candidate.deliveryId()) : null;
			if (notification == null || delivery == null || delivery.state() != DeliveryState.SENDING) {
				continue;
			}
			MessageContent content = delivery.content();
			attempts.add(new Attempt(notification.id(), delivery.id(), delivery.attempts(), candidate.startedAt(),
					(content != null) ? this.policy.storedMessage(notification, delivery, content) : null,
					this.senders.of(delivery.channel()).orElse(null)));
		}
		return attempts;
	}

	/** The provider that sends a channel's messages (its rate limit's name), if the channel has one. */
	Optional<String> provider(Channel channel) {
		return this.senders.of(channel).map(ChannelSender::provider);
	}

	/**
	 * Records what the providers said of stale attempts: found ones are {@code SENT},
	 * ones the provider never got are sent again (scheduled now, within the attempts),
	 * ones nobody can tell about are asked about again until {@code reconcile-give-up-after}
	 * and then {@code FAILED} with the reason (with fallback), never resent.
	 */
	@Transactional
	void recordLookups(List<LookupOutcome> outcomes) {
		if (outcomes.isEmpty()) {
			return;
		}
		Instant now = now();
		Batch batch = new Batch(this.notifications.lock(outcomes.stream().map((o) -> o.attempt().notificationId()).toList()));
		for (LookupOutcome outcome : outcomes) {
			Attempt attempt = outcome.attempt();
			Delivery delivery = batch.current(attempt);
			if (delivery == null || !attempt.startedAt().equals(delivery.sendingStartedAt())) {
				if (outcome.result() instanceof LookupResult.Found found) {
					batch.acceptedAfterRead(attempt, found.providerMessageId());
				}
				continue;
			}
			Notification notification = batch.owner(delivery.id());
			switch (outcome.result()) {
				case LookupResult.Found found -> {
					delivery.markSent(found.providerMessageId(), now);
					batch.accepted(delivery);
				}
				case LookupResult.NotFound notFound -> {
					this.metrics.providerError(attempt.provider(), "lookup-not-found");
					if (delivery.attempts() >= this.properties.maxAttempts()) {
						delivery.markFailed("The provider never received the message; gave up after "
								+ delivery.attempts() + " attempts", now);
						batch.failed(notification);
					}
					else {
						delivery.scheduleRetry(now,
								"The outcome of the last attempt was unknown and the provider has no such message; "
										+ "sending again",
								now);
					}
				}
				case LookupResult.Unavailable unavailable -> {
					this.metrics.providerError(attempt.provider(), "lookup-unavailable");
					if (now.isBefore(attempt.startedAt().plus(this.properties.reconcileGiveUpAfter()))) {
						// a lookup that failed may work next time (ADR 0009); still never resent
						delivery.recordUnknownOutcome("The outcome of the last attempt is unknown and the provider "
								+ "cannot tell yet (" + unavailable.reason() + "); asking again", now);
					}
					else {
						delivery.markFailed("The outcome of the last attempt is unknown and the provider cannot tell ("
								+ unavailable.reason() + "); not sent again", now);
						batch.failed(notification);
					}
				}
			}
		}
		finish(batch, now);
	}

	/**
	 * Applies parked receipts whose delivery has been recorded since (the receipt was
	 * parked while its send's outcome was being committed), and forgets those that never
	 * found one within a week.
	 * @return how many deliveries had parked receipts
	 */
	@Transactional
	int sweepParkedReceipts(int limit) {
		Instant now = now();
		this.notifications.deleteParkedReceiptsBefore(now.minus(Duration.ofDays(7)));
		List<Notifications.MatchedReceipt> matched = this.notifications.findMatchedParkedReceipts(limit);
		if (matched.isEmpty()) {
			return 0;
		}
		Batch batch = new Batch(
				this.notifications.lock(matched.stream().map(Notifications.MatchedReceipt::notificationId).toList()));
		for (Notifications.MatchedReceipt receipt : matched) {
			batch.deliveries.values()
				.stream()
				.filter((d) -> d.channel() == receipt.channel()
						&& receipt.providerMessageId().equals(d.providerMessageId()))
				.findFirst()
				.ifPresent(batch::accepted);
		}
		finish(batch, now);
		return matched.size();
	}

	private void finish(Batch batch, Instant now) {
		// receipts that overtook the recording of their send
		batch.acceptedByChannel.forEach((channel, byProviderId) -> {
			for (ParkedReceipt receipt : this.notifications.takeParkedReceipts(channel, byProviderId.keySet())) {
				Delivery delivery = byProviderId.get(receipt.providerMessageId());
				if (delivery != null && delivery.applyReceipt(receipt.status(), receipt.reason(), now)
						&& delivery.hasFailed()) {
					batch.failed(batch.owner(delivery.id()));
				}
			}
		});
		if (!batch.failed.isEmpty()) {
			Map<String, Contact> known = this.contacts
				.findAll(batch.failed.values().stream().map(Notification::patientId).toList());
			batch.failed.values()
				.forEach((notification) -> this.fallback.afterFailure(notification,
						known.get(notification.patientId()), now));
		}
		batch.locked.forEach((notification) -> notification.touch(now));
		this.metrics.countTransitions(batch.locked);
		this.notifications.saveChanges(batch.locked, now);
	}

	private static @Nullable Delivery find(Notification notification, DeliveryId id) {
		return notification.deliveries().stream().filter((d) -> d.id().equals(id)).findFirst().orElse(null);
	}

	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

	/** The locked notifications of one recording transaction, indexed. */
	private static final class Batch {

		final List<Notification> locked;

		final Map<DeliveryId, Notification> owners = new HashMap<>();

		final Map<DeliveryId, Delivery> deliveries = new HashMap<>();

		final Map<NotificationId, Notification> failed = new LinkedHashMap<>();

		final Map<Channel, Map<String, Delivery>> acceptedByChannel = new EnumMap<>(Channel.class);

		Batch(List<Notification> locked) {
			this.locked = locked;
			for (Notification notification : locked) {
				for (Delivery delivery : notification.deliveries()) {
					this.owners.put(delivery.id(), notification);
					this.deliveries.put(delivery.id(), delivery);
				}
			}
		}

		/** The delivery, while it is still {@code SENDING} in the attempt; null otherwise. */
		@Nullable Delivery current(Attempt attempt) {
			Delivery delivery = this.deliveries.get(attempt.deliveryId());
			if (delivery == null || delivery.state() != DeliveryState.SENDING
					|| delivery.attempts() != attempt.attempt()) {
				log.debug("Delivery {} moved on from attempt {}; its outcome is ignored", attempt.deliveryId(),
						attempt.attempt());
				return null;
			}
			return delivery;
		}

		Notification owner(DeliveryId id) {
			return Objects.requireNonNull(this.owners.get(id));
		}

		/**
		 * The provider took the attempt, but the patient read the notification while it was {@code SENDING}
		 * (the patient API): the delivery stays read and keeps the provider's id (it was dropped, and with it
		 * the way from the provider's records and receipts to the delivery).
		 */
		void acceptedAfterRead(Attempt attempt, String providerMessageId) {
			Delivery delivery = this.deliveries.get(attempt.deliveryId());
			if (delivery != null && delivery.attempts() == attempt.attempt()
					&& delivery.keepProviderMessageIdOfRead(providerMessageId)) {
				log.debug("Delivery {} was read while attempt {} was sending; the provider's id is kept",
						attempt.deliveryId(), attempt.attempt());
				accepted(delivery);
			}
		}

		void accepted(Delivery delivery) {
			this.acceptedByChannel.computeIfAbsent(delivery.channel(), (c) -> new HashMap<>())
				.put(Objects.requireNonNull(delivery.providerMessageId()), delivery);
		}

		void failed(Notification notification) {
			this.failed.put(notification.id(), notification);
		}

	}

	/** What a claim did: how many deliveries it took, and the attempts to send. */
	record Claimed(int claimed, List<Attempt> attempts) {
	}

	/**
	 * A provider's answer to one attempt.
	 *
	 * @param result the answer; null when the attempt was never made (the batch ran out
	 * of time waiting for the rate limit)
	 * @param answeredAt when the answer came
	 */
	record Outcome(Attempt attempt, @Nullable SendResult result, Instant answeredAt) {
	}

	/** What a provider's lookup said of an attempt. */
	record LookupOutcome(Attempt attempt, LookupResult result) {
	}

}
