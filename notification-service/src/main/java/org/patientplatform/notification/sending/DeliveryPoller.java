package org.patientplatform.notification.sending;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import org.patientplatform.notification.channels.ChannelSender;
import org.patientplatform.notification.channels.LookupResult;
import org.patientplatform.notification.channels.OutboundMessage;
import org.patientplatform.notification.channels.SendResult;
import org.patientplatform.notification.delivery.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * A sender of role {@code wrk--notifications}: claims a batch of due deliveries of one
 * channel in one transaction, calls the provider for the attempts (in parallel on virtual
 * threads, at most {@code max-concurrent-sends} at once per channel, each provider at its
 * rate limit), and records the batch's outcomes in one transaction; every
 * {@code reconcile-interval} it asks the providers about attempts left {@code SENDING}. It
 * runs {@code senders} such loops per channel, so one claims while another waits for the
 * provider or records, and a slow or hanging provider holds back only its own channel;
 * they share the queue as several instances do. On shutdown the batches in hand are
 * finished first.
 */
final class DeliveryPoller implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(DeliveryPoller.class);

	private final SendBatches batches;

	private final ProviderRateLimits rateLimits;

	private final SendingProperties properties;

	private final Clock clock;

	private final Map<Channel, Semaphore> inFlight = new EnumMap<>(Channel.class);

	/**
	 * The provider calls and lookups; shut down by {@link #stop()} and made anew by {@link #start()}. Before, a
	 * stop and start (the context's lifecycle) left it shut down: every claim after it was refused its calls and
	 * left {@code SENDING}, and reconciliation, refused its lookups too, never took them up: those notices were
	 * never sent.
	 */
	private volatile ExecutorService calls = newCallExecutor();

	private volatile boolean running;

	private final List<Thread> threads = new ArrayList<>();

	private Instant nextReconciliation = Instant.MIN;

	DeliveryPoller(SendBatches batches, ProviderRateLimits rateLimits, SendingProperties properties, Clock clock) {
		this.batches = batches;
		this.rateLimits = rateLimits;
		this.properties = properties;
		this.clock = clock;
		for (Channel channel : Channel.values()) {
			this.inFlight.put(channel, new Semaphore(properties.maxConcurrentSends()));
		}
	}

	/**
	 * Works one batch of each channel: claim, send, record.
	 * @return how many deliveries were claimed
	 */
	int pollOnce() {
		int claimed = 0;
		for (Channel channel : Channel.values()) {
			claimed += pollOnce(channel);
		}
		return claimed;
	}

	/**
	 * Works one batch of the channel: claim, send, record.
	 * @return how many deliveries were claimed
	 */
	int pollOnce(Channel channel) {
		List<Attempt> prepared = new ArrayList<>();
		SendBatches.Claimed claimed;
		try {
			claimed = this.batches.claim(claimLimit(channel), channel, prepared::addAll);
		}
		catch (RuntimeException ex) {
			List<Attempt> takenUp = takeUpInDoubt(prepared, ex);
			if (takenUp.isEmpty()) {
				throw ex;
			}
			claimed = new SendBatches.Claimed(takenUp.size(), takenUp);
		}
		if (!claimed.attempts().isEmpty()) {
			record(send(channel, claimed.attempts()), this.clock.instant());
		}
		return claimed.claimed();
	}

	/**
	 * The attempts of a claim whose commit failed that it made all the same, taken up to be sent. A commit's answer
	 * is lost when the connection goes as the database does: the claim may have been made, its attempts
	 * {@code SENDING} with nobody to call their providers. Reconciliation would find an SMS missing at Twilio and send
	 * it after {@code reconcile-after}; an email or push, which no provider can look up, ended {@code FAILED}, never
	 * sent. Asked again while the database cannot answer, until {@code reconcile-give-up-after}; each try of its own
	 * may be in doubt too, so each one's start is one the attempts may have.
	 */
	private List<Attempt> takeUpInDoubt(List<Attempt> prepared, RuntimeException failure) {
		if (prepared.isEmpty()) {
			return List.of();
		}
		Set<Instant> starts = new HashSet<>();
		starts.add(prepared.getFirst().startedAt());
		Instant giveUp = prepared.getFirst().startedAt().plus(this.properties.reconcileGiveUpAfter());
		Duration pause = recordingPause();
		log.warn("The claim of {} attempts failed as it committed ({}); finding out whether it was made",
				prepared.size(), failure.toString());
		while (true) {
			Instant now = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
			try {
				List<Attempt> takenUp = this.batches.takeUp(prepared, starts, now);
				log.warn("{} of the {} attempts of the claim were made and are sent now", takenUp.size(),
						prepared.size());
				return takenUp;
			}
			catch (RuntimeException ex) {
				starts.add(now);
				if (!now.plus(pause).isBefore(giveUp) || Thread.currentThread().isInterrupted()) {
					log.warn("Could not find out whether the claim of {} attempts was made; reconciliation has them: {}",
							prepared.size(), ex.toString());
					return List.of();
				}
				try {
					Thread.sleep(pause);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					return List.of();
				}
			}
		}
	}

	/**
	 * How many deliveries of a channel one batch claims: {@code batch-size}, but no more than about a second of
	 * its provider's rate limit. A claimed delivery is {@code SENDING} until its call is made, and one whose
	 * sender dies before calling cannot be told from one whose answer was lost: for a provider without a lookup
	 * (SMTP, FCM) it then ends {@code FAILED}, never resent. A batch of 200 at SMTP's 50/s took four seconds to
	 * call, so a process killed in that time left up to 200 emails unsent and failed; now at most a second's worth,
	 * about what is in flight anyway. The second is shared by the instance's {@code senders} loops of the channel,
	 * which call through one rate limit: each claimed a second's worth, so two loops' claims took two seconds to
	 * call, and a {@code kill -9} left 82 emails {@code SENDING} (at SMTP's 50/s) to end {@code FAILED}.
	 */
	int claimLimit(Channel channel) {
		int batch = this.properties.batchSize();
		int loops = this.properties.senders();
		return this.batches.provider(channel)
			.map((provider) -> (int) Math.max(1,
					Math.min(batch, Math.ceil(this.properties.rateLimit(provider) / loops))))
			.orElse(batch);
	}

	/**
	 * Records a batch's answers, trying again while the database cannot take them, until {@code reconcile-after}
	 * has passed (then reconciliation has the attempts) or the thread is interrupted. Before, one failure dropped
	 * the answers: an email or push the provider had taken during a database outage ended {@code FAILED} as
	 * unknown, and a retry-later answer was never retried.
	 */
	void record(List<SendBatches.Outcome> outcomes, Instant answered) {
		Instant giveUp = answered.plus(this.properties.reconcileAfter());
		Duration pause = recordingPause();
		while (true) {
			try {
				this.batches.record(outcomes);
				return;
			}
			catch (RuntimeException ex) {
				if (!this.clock.instant().plus(pause).isBefore(giveUp) || Thread.currentThread().isInterrupted()) {
					throw ex;
				}
				log.warn("Could not record the answers of {} sends, tried again in {}: {}", outcomes.size(), pause,
						ex.toString());
				try {
					Thread.sleep(pause);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw ex;
				}
			}
		}
	}

	/** How long to wait before trying the database again. */
	private Duration recordingPause() {
		return min(this.properties.pollInterval().multipliedBy(20), this.properties.reconcileAfter().dividedBy(10));
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	/**
	 * Reconciles one batch of attempts left {@code SENDING}.
	 * @return how many were looked up
	 */
	int reconcileOnce() {
		this.batches.sweepParkedReceipts(this.properties.batchSize());
		List<Attempt> stale = this.batches.staleAttempts(this.properties.batchSize());
		if (stale.isEmpty()) {
			return 0;
		}
		List<Future<LookupResult>> lookups = new ArrayList<>(stale.size());
		for (Attempt attempt : stale) {
			lookups.add(this.calls.submit(() -> lookup(attempt)));
		}
		long deadline = System.nanoTime() + this.properties.sendTimeout().toNanos();
		List<SendBatches.LookupOutcome> outcomes = new ArrayList<>(stale.size());
		for (int i = 0; i < stale.size(); i++) {
			try {
				outcomes.add(new SendBatches.LookupOutcome(stale.get(i),
						lookups.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)));
			}
			catch (TimeoutException | ExecutionException ex) {
				// nothing learnt: the attempt stays SENDING for the next round
				lookups.get(i).cancel(true);
				log.warn("Lookup of delivery {} did not finish ({}); it is tried again", stale.get(i).deliveryId(),
						ex.getClass().getSimpleName());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				lookups.get(i).cancel(true);
			}
		}
		this.batches.recordLookups(outcomes);
		return stale.size();
	}

	private LookupResult lookup(Attempt attempt) {
		OutboundMessage message = attempt.message();
		ChannelSender sender = attempt.sender();
		if (message == null) {
			return new LookupResult.Unavailable("what the attempt sent is not stored");
		}
		if (sender == null) {
			return new LookupResult.Unavailable("no provider is configured for " + message.channel());
		}
		return sender.lookup(message, attempt.startedAt());
	}

	private List<SendBatches.Outcome> send(Channel channel, List<Attempt> attempts) {
		long deadline = System.nanoTime() + this.properties.sendTimeout().toNanos();
		Semaphore slots = Objects.requireNonNull(this.inFlight.get(channel));
		List<Future<@Nullable SendResult>> calls = new ArrayList<>(attempts.size());
		for (Attempt attempt : attempts) {
			calls.add(this.calls.submit(() -> call(attempt, slots, deadline)));
		}
		List<SendBatches.Outcome> outcomes = new ArrayList<>(attempts.size());
		for (int i = 0; i < attempts.size(); i++) {
			outcomes.add(new SendBatches.Outcome(attempts.get(i), await(calls.get(i), deadline), this.clock.instant()));
		}
		return outcomes;
	}

	/**
	 * One provider call, once a slot and the provider's rate allow it before the
	 * deadline.
	 * @return the answer, or null when the call was never made
	 */
	private @Nullable SendResult call(Attempt attempt, Semaphore slots, long deadline) throws InterruptedException {
		if (!slots.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
			return null;
		}
		try {
			ChannelSender sender = attempt.sender();
			OutboundMessage message = attempt.message();
			if (sender == null || message == null) {
				throw new IllegalStateException("An attempt to send has its message and provider");
			}
			if (!this.rateLimits.acquire(sender.provider(), deadline)) {
				return null;
			}
			return sender.send(message);
		}
		finally {
			slots.release();
		}
	}

	/** The answer; null when the call was never made; unknown when it did not finish. */
	private @Nullable SendResult await(Future<@Nullable SendResult> call, long deadline) {
		try {
			return call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			call.cancel(true);
			return new SendResult.Unknown("No answer from the provider within " + this.properties.sendTimeout());
		}
		catch (ExecutionException ex) {
			// a sender answers with a result; one that throws may still have sent
			log.warn("A provider call failed with {}; its outcome is unknown", ex.getCause().getClass().getName());
			return new SendResult.Unknown("The provider call failed (" + ex.getCause().getClass().getSimpleName() + ")");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			call.cancel(true);
			return new SendResult.Unknown("Interrupted while waiting for the provider");
		}
	}

	/**
	 * One sender loop of a channel: a full batch is followed by the next claim at once, a
	 * smaller one by {@code poll-interval}; the first loop also reconciles.
	 */
	private void loop(Channel channel, boolean reconciles) {
		while (this.running) {
			try {
				Instant now = this.clock.instant();
				if (reconciles && !now.isBefore(this.nextReconciliation)) {
					this.nextReconciliation = now.plus(this.properties.reconcileInterval());
					reconcileOnce();
				}
				if (pollOnce(channel) < claimLimit(channel)) {
					sleep(this.properties.pollInterval());
				}
			}
			catch (RuntimeException ex) {
				log.warn("The notification sender failed, will retry: {}", ex.toString());
				sleep(this.properties.pollInterval().multipliedBy(20));
			}
		}
	}

	private void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.running = false;
		}
	}

	private static ExecutorService newCallExecutor() {
		return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("notification-send-", 0).factory());
	}

	@Override
	public synchronized void start() {
		if (!this.running) {
			if (this.calls.isShutdown()) {
				this.calls = newCallExecutor();
			}
			this.running = true;
			for (Channel channel : Channel.values()) {
				for (int i = 0; i < this.properties.senders(); i++) {
					boolean reconciles = this.threads.isEmpty();
					this.threads.add(Thread.ofPlatform()
						.name("notification-sender-" + channel.name().toLowerCase(Locale.ROOT) + "-" + i)
						.daemon()
						.start(() -> loop(channel, reconciles)));
				}
			}
		}
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		// the batches in hand are finished and recorded; then the loops end
		long deadline = System.nanoTime() + this.properties.sendTimeout().plusSeconds(10).toNanos();
		for (Thread current : this.threads) {
			try {
				current.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
				if (current.isAlive()) {
					current.interrupt();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.threads.clear();
		this.calls.shutdownNow();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public boolean isAutoStartup() {
		return this.properties.enabled();
	}

}
