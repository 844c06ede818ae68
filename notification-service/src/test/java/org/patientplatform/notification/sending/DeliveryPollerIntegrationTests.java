package org.patientplatform.notification.sending;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.notification.NotificationIntegrationTest;
import org.patientplatform.notification.TestPatients;
import org.patientplatform.notification.TestPatients.Patient;
import org.patientplatform.notification.TestProviders;
import org.patientplatform.notification.channels.ChannelsProperties;
import org.patientplatform.notification.channels.SendResult;
import org.patientplatform.notification.contacts.Contact;
import org.patientplatform.notification.contacts.ContactDirectory;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.delivery.NewNotification;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.delivery.Priority;
import org.patientplatform.standins.Faults;
import org.patientplatform.standins.SentPush;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The senders against the provider stand-ins through the real channel senders, driven a
 * batch at a time (they do not start on their own here), so each test says exactly which
 * step happens when: two senders on one queue, attempts lost before or after the provider
 * call and their reconciliation, retries, fallback and policy at claim time.
 */
@NotificationIntegrationTest
@TestPropertySource(properties = { "notification.sending.enabled=false", "notification.sending.batch-size=20",
		"notification.sending.reconcile-after=1s", "notification.sending.reconcile-give-up-after=3s",
		"notification.sending.send-timeout=5s",
		"notification.sending.rate-limits.twilio=1000", "notification.sending.frequency-cap.count=2",
		"notification.sending.default-timezone=UTC" })
class DeliveryPollerIntegrationTests {

	static final TestProviders providers = TestProviders.start();

	@DynamicPropertySource
	static void providers(DynamicPropertyRegistry registry) {
		providers.register(registry);
	}

	@AfterAll
	static void stopProviders() {
		providers.close();
	}

	@Autowired
	DeliveryPoller poller;

	@Autowired
	SendBatches batches;

	@Autowired
	SendingProperties properties;

	@Autowired
	Notifications notifications;

	@Autowired
	ContactDirectory contacts;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	TransactionTemplate transactions;

	TestPatients patients;

	@BeforeEach
	void setUp() {
		this.patients = new TestPatients(this.jdbc);
	}

	@AfterEach
	void tearDown() {
		providers.standins().faults().clear();
		// leave nothing due for the next test
		this.jdbc.update("UPDATE delivery SET state = 'CANCELLED' WHERE state IN ('PENDING', 'SCHEDULED', 'SENDING')");
	}

	@Test
	void twoSendersOnOneQueueSendEachDeliveryOnce() throws Exception {
		List<Patient> recipients = new ArrayList<>();
		for (int i = 0; i < 120; i++) {
			recipients.add(this.patients.patient().store());
		}
		this.notifications.storeNew(recipients.stream().map((p) -> notification(p, Priority.NORMAL, null)).toList());
		DeliveryPoller second = new DeliveryPoller(this.batches, new ProviderRateLimits(this.properties),
				this.properties, Clock.systemUTC());

		try (ExecutorService instances = Executors.newFixedThreadPool(2)) {
			List<Future<Integer>> claimed = new ArrayList<>();
			for (DeliveryPoller sender : List.of(this.poller, second)) {
				claimed.add(instances.submit(() -> {
					int total = 0;
					for (int n = sender.pollOnce(); n > 0; n = sender.pollOnce()) {
						total += n;
					}
					return total;
				}));
			}
			assertThat(claimed.get(0).get() + claimed.get(1).get()).isEqualTo(120);
			// both took part
			assertThat(claimed).allSatisfy((f) -> assertThat(f.get()).isPositive());
		}
		for (Patient patient : recipients) {
			assertThat(providers.smsTo(patient.phone())).as(patient.id()).isEqualTo(1);
		}
		assertThat(this.jdbc.queryForList("SELECT DISTINCT d.state || '/' || d.attempts FROM delivery d JOIN notification n "
				+ "ON n.id = d.notification_id WHERE n.patient_id = ANY(?)", String.class,
				(Object) recipients.stream().map(Patient::id).toArray(String[]::new)))
			.allSatisfy((stateAndAttempts) -> assertThat(stateAndAttempts).isIn("SENT/1", "DELIVERED/1"));
	}

	@Test
	void takesAnUrgentDeliveryFirstThenEachInTheOrderItFellDue() {
		List<Patient> batch = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			batch.add(this.patients.patient().store());
		}
		this.notifications.storeNew(batch.stream().map((p) -> notification(p, Priority.NORMAL, null)).toList());
		Notification urgent = store(notification(this.patients.patient().store(), Priority.URGENT, null));
		Notification due = store(notification(this.patients.patient().store(), Priority.NORMAL, null));
		// a reminder whose time came an hour ago, stored after the batch
		this.jdbc.update("UPDATE delivery SET state = 'SCHEDULED', next_attempt_at = now() - interval '1 hour' "
				+ "WHERE notification_id = ?", due.id().value());

		// before: every pending delivery first, in creation order, whatever its priority, then the scheduled ones
		assertThat(this.batches.claim(1, Channel.SMS).attempts()).singleElement()
			.satisfies((attempt) -> assertThat(attempt.notificationId()).isEqualTo(urgent.id()));
		assertThat(this.batches.claim(1, Channel.SMS).attempts()).singleElement()
			.satisfies((attempt) -> assertThat(attempt.notificationId()).isEqualTo(due.id()));
		assertThat(this.batches.claim(5, Channel.SMS).attempts()).hasSize(3);
	}

	@Test
	void claimsNoMoreThanASecondOfItsProvidersRateLimitAtOnce() {
		List<Patient> recipients = emailNotices(12);
		// SMTP at 5 a second, batches of 20: a batch claims 5, so a sender that dies leaves at most a second's
		// calls SENDING unmade (before, the whole batch of 20, four seconds of calls, ended FAILED unsent)
		DeliveryPoller instance = slowMailPoller(1);
		assertThat(instance.claimLimit(Channel.EMAIL)).isEqualTo(5);
		assertThat(instance.claimLimit(Channel.SMS)).isEqualTo(20);
		assertThat(instance.pollOnce(Channel.EMAIL)).isEqualTo(5);
		assertThat(instance.pollOnce(Channel.EMAIL)).isEqualTo(5);
		assertThat(instance.pollOnce(Channel.EMAIL)).isEqualTo(2);
		String[] ids = recipients.stream().map(Patient::id).toArray(String[]::new);
		assertThat(this.jdbc.queryForList("SELECT d.state || '/' || d.attempts FROM delivery d JOIN notification n "
				+ "ON n.id = d.notification_id WHERE n.patient_id = ANY(?)", String.class, (Object) ids))
			.hasSize(12)
			.allSatisfy((stateAndAttempts) -> assertThat(stateAndAttempts).isEqualTo("SENT/1"));
	}

	@Test
	void sharesTheSecondOfItsProvidersRateLimitAmongTheChannelsSenderLoops() {
		emailNotices(5);
		// SMTP at 5 a second, two loops per channel calling through the instance's one rate limit: each claims 3,
		// so both together hold about a second's calls, not two (before, each claimed 5: a kill -9 of the local
		// platform left 82 emails SENDING at SMTP's 50/s, to end FAILED unsent)
		DeliveryPoller instance = slowMailPoller(2);
		assertThat(instance.claimLimit(Channel.EMAIL)).isEqualTo(3);
		assertThat(instance.pollOnce(Channel.EMAIL)).isEqualTo(3);
		assertThat(instance.pollOnce(Channel.EMAIL)).isEqualTo(2);
	}

	/** Email notices to this many new patients, each with an email address. */
	private List<Patient> emailNotices(int count) {
		List<Patient> recipients = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			recipients.add(this.patients.patient().email(true).store());
		}
		this.notifications
			.storeNew(recipients.stream().map((p) -> notification(p, Priority.NORMAL, EnumSet.of(Channel.EMAIL))).toList());
		return recipients;
	}

	/** A poller with SMTP limited to 5 calls a second, and this many sender loops per channel. */
	private DeliveryPoller slowMailPoller(int senders) {
		SendingProperties p = this.properties;
		SendingProperties slowMail = new SendingProperties(false, p.batchSize(), p.pollInterval(),
				p.maxConcurrentSends(), p.sendTimeout(), p.maxAttempts(), p.backoff(), p.defaultRateLimit(),
				Map.of("smtp", 5.0), p.frequencyCap(), p.fallbackOrder(), p.defaultTimezone(), p.reconcileAfter(),
				p.reconcileInterval(), p.reconcileGiveUpAfter(), p.queueDepthSampling(), senders);
		return new DeliveryPoller(this.batches, new ProviderRateLimits(slowMail), slowMail, Clock.systemUTC());
	}

	@Test
	void recordsTheAnswersOfABatchOnceTheDatabaseIsBackAfterAnOutage() throws Exception {
		Patient patient = this.patients.patient().email(true).store();
		Notification notification = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.EMAIL)));
		Attempt attempt = this.batches.claim(20, Channel.EMAIL).attempts().getFirst();
		SendResult answer = attempt.sender().send(attempt.message());
		assertThat(answer).isInstanceOf(SendResult.Accepted.class);
		// the database cannot take the batch's answers for a moment (as in an outage)
		this.jdbc.execute("ALTER TABLE notification RENAME TO notification_away");
		try (ExecutorService recording = Executors.newSingleThreadExecutor()) {
			Future<?> recorded = recording.submit(() -> this.poller
				.record(List.of(new SendBatches.Outcome(attempt, answer, Instant.now())), Instant.now()));
			Thread.sleep(300);
			this.jdbc.execute("ALTER TABLE notification_away RENAME TO notification");
			recorded.get();
		}
		finally {
			this.jdbc.execute("ALTER TABLE IF EXISTS notification_away RENAME TO notification");
		}
		// before, the answers were dropped: the email the provider took ended FAILED as unknown
		assertThat(state(notification, Channel.EMAIL)).isEqualTo("SENT");
		assertThat(providerMessageId(notification, Channel.EMAIL))
			.isEqualTo(((SendResult.Accepted) answer).providerMessageId());
	}

	@Test
	void sendsTheAttemptsOfAClaimWhoseCommitWasMadeThoughItsAnswerWasLost() {
		Patient patient = this.patients.patient().email(true).store();
		Notification notification = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.EMAIL)));
		LostCommitAnswers lost = new LostCommitAnswers(this.transactions).lose("claim", true);

		// before, the sender took the claim for failed: the email stayed SENDING with nobody to send it, and as no
		// provider can look an email up, it ended FAILED at reconcile-give-up-after, never sent
		assertThat(senderWith(lost).pollOnce(Channel.EMAIL)).isEqualTo(1);
		assertThat(state(notification, Channel.EMAIL)).isEqualTo("SENT");
		assertThat(attempts(notification, Channel.EMAIL)).isEqualTo(1);
		assertThat(mailsTo(patient)).isEqualTo(1);
		this.poller.pollOnce();
		assertThat(mailsTo(patient)).isEqualTo(1);
	}

	@Test
	void leavesToTheNextClaimTheAttemptsOfAClaimWhoseCommitWasNotMade() {
		Patient patient = this.patients.patient().email(true).store();
		Notification notification = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.EMAIL)));
		LostCommitAnswers lost = new LostCommitAnswers(this.transactions).lose("claim", false);

		assertThatThrownBy(() -> senderWith(lost).pollOnce(Channel.EMAIL))
			.isInstanceOf(TransactionSystemException.class);
		assertThat(state(notification, Channel.EMAIL)).isEqualTo("PENDING");
		assertThat(mailsTo(patient)).isZero();

		this.poller.pollOnce();
		assertThat(state(notification, Channel.EMAIL)).isEqualTo("SENT");
		assertThat(attempts(notification, Channel.EMAIL)).isEqualTo(1);
		assertThat(mailsTo(patient)).isEqualTo(1);
	}

	@Test
	void findsTheAttemptsOfAClaimWhenTheAnswerToTheirTakeUpIsLostToo() {
		Patient patient = this.patients.patient().email(true).store();
		Notification made = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.EMAIL)));
		LostCommitAnswers lost = new LostCommitAnswers(this.transactions).lose("claim", true).lose("takeUp", true);

		assertThat(senderWith(lost).pollOnce(Channel.EMAIL)).isEqualTo(1);
		assertThat(state(made, Channel.EMAIL)).isEqualTo("SENT");
		assertThat(mailsTo(patient)).isEqualTo(1);

		Patient other = this.patients.patient().email(true).store();
		Notification notMade = store(notification(other, Priority.NORMAL, EnumSet.of(Channel.EMAIL)));
		lost.lose("claim", true).lose("takeUp", false);
		assertThat(senderWith(lost).pollOnce(Channel.EMAIL)).isEqualTo(1);
		assertThat(state(notMade, Channel.EMAIL)).isEqualTo("SENT");
		assertThat(mailsTo(other)).isEqualTo(1);
	}

	private DeliveryPoller senderWith(LostCommitAnswers lost) {
		ProxyFactory factory = new ProxyFactory(this.batches);
		factory.setProxyTargetClass(true);
		factory.addAdvice(lost);
		return new DeliveryPoller((SendBatches) factory.getProxy(), new ProviderRateLimits(this.properties),
				this.properties, Clock.systemUTC());
	}

	private long mailsTo(Patient patient) {
		return providers.standins().mail().received().stream().filter((mail) -> mail.to().contains(patient.email()))
			.count();
	}

	/**
	 * The senders' transactions with the answer to the next commits of some of them lost, as when the connection
	 * goes as the database does: the commit made or not, and the caller told it failed.
	 */
	static final class LostCommitAnswers implements MethodInterceptor {

		private final TransactionTemplate transactions;

		private final Map<String, Deque<Boolean>> next = new ConcurrentHashMap<>();

		LostCommitAnswers(TransactionTemplate transactions) {
			this.transactions = transactions;
		}

		/** The answer to the next commit of {@code method} not yet lost is lost, the commit {@code made} or not. */
		LostCommitAnswers lose(String method, boolean made) {
			this.next.computeIfAbsent(method, (m) -> new ConcurrentLinkedDeque<>()).add(made);
			return this;
		}

		@Override
		public Object invoke(MethodInvocation invocation) throws Throwable {
			Deque<Boolean> outcomes = this.next.get(invocation.getMethod().getName());
			Boolean made = (outcomes != null) ? outcomes.poll() : null;
			if (made == null) {
				return invocation.proceed();
			}
			if (made) {
				// the target is the transactional bean: committed when it returns
				invocation.proceed();
			}
			else {
				this.transactions.executeWithoutResult((status) -> {
					try {
						invocation.proceed();
					}
					catch (Throwable ex) {
						throw new IllegalStateException(ex);
					}
					status.setRollbackOnly();
				});
			}
			throw new TransactionSystemException("Could not commit JDBC transaction",
					new SQLException("FATAL: terminating connection due to administrator command", "57P01"));
		}

	}

	@Test
	void theSenderLoopsOfOneInstanceSendEachDeliveryOnce() {
		List<Patient> recipients = new ArrayList<>();
		for (int i = 0; i < 120; i++) {
			recipients.add(this.patients.patient().store());
		}
		this.notifications.storeNew(recipients.stream().map((p) -> notification(p, Priority.NORMAL, null)).toList());
		SendingProperties p = this.properties;
		SendingProperties threeLoops = new SendingProperties(true, p.batchSize(), Duration.ofMillis(50),
				p.maxConcurrentSends(), p.sendTimeout(), p.maxAttempts(), p.backoff(), p.defaultRateLimit(),
				p.rateLimits(), p.frequencyCap(), p.fallbackOrder(), p.defaultTimezone(), p.reconcileAfter(),
				p.reconcileInterval(), p.reconcileGiveUpAfter(), p.queueDepthSampling(), 3);
		DeliveryPoller instance = new DeliveryPoller(this.batches, new ProviderRateLimits(threeLoops), threeLoops,
				Clock.systemUTC());
		String[] ids = recipients.stream().map(Patient::id).toArray(String[]::new);
		instance.start();
		try {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM delivery d JOIN notification n "
						+ "ON n.id = d.notification_id WHERE n.patient_id = ANY(?) AND d.state IN ('SENT', 'DELIVERED')",
						Integer.class, (Object) ids) == recipients.size());
		}
		finally {
			instance.stop();
		}
		assertThat(instance.isRunning()).isFalse();
		for (Patient patient : recipients) {
			assertThat(providers.smsTo(patient.phone())).as(patient.id()).isEqualTo(1);
		}
		assertThat(this.jdbc.queryForList("SELECT DISTINCT d.attempts FROM delivery d JOIN notification n "
				+ "ON n.id = d.notification_id WHERE n.patient_id = ANY(?)", Integer.class, (Object) ids))
			.containsExactly(1);
	}

	@Test
	void aSlowProviderHoldsBackOnlyItsOwnChannel() {
		Patient patient = this.patients.patient().email(true).store();
		Notification notification = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.SMS, Channel.EMAIL)));
		// the SMS provider takes four seconds to answer
		providers.standins().faults().delayNext(Faults.Target.SMS, 1, Duration.ofSeconds(4));
		SendingProperties p = this.properties;
		SendingProperties oneLoopEach = new SendingProperties(true, p.batchSize(), Duration.ofMillis(50),
				p.maxConcurrentSends(), p.sendTimeout(), p.maxAttempts(), p.backoff(), p.defaultRateLimit(),
				p.rateLimits(), p.frequencyCap(), p.fallbackOrder(), p.defaultTimezone(), p.reconcileAfter(),
				p.reconcileInterval(), p.reconcileGiveUpAfter(), p.queueDepthSampling(), 1);
		DeliveryPoller instance = new DeliveryPoller(this.batches, new ProviderRateLimits(oneLoopEach), oneLoopEach,
				Clock.systemUTC());
		instance.start();
		try {
			// the email is sent and recorded while the SMS call still waits: before, one batch held both until
			// its slowest call answered (up to send-timeout, 30 s), so a hanging SMS provider held back every channel
			await().atMost(Duration.ofSeconds(30))
				.until(() -> state(notification, Channel.EMAIL), (state) -> !state.equals("PENDING")
						&& !state.equals("SENDING"));
			assertThat(state(notification, Channel.EMAIL)).isIn("SENT", "DELIVERED");
			assertThat(state(notification, Channel.SMS)).isEqualTo("SENDING");
			await().atMost(Duration.ofSeconds(30))
				.until(() -> state(notification, Channel.SMS), (state) -> state.equals("SENT") || state.equals("DELIVERED"));
		}
		finally {
			instance.stop();
		}
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);
	}

	@Test
	void sendsAgainAnAttemptLostBeforeTheProviderCallOnceTheProviderSaysItNeverGotIt() {
		Patient patient = this.patients.patient().store();
		Notification notification = store(notification(patient, Priority.NORMAL, null));
		// the sender records the attempt, then its process dies before calling the provider
		assertThat(this.batches.claim(20, Channel.SMS).attempts()).hasSize(1);
		assertThat(state(notification, Channel.SMS)).isEqualTo("SENDING");

		awaitReconciled(notification, Channel.SMS);
		assertThat(state(notification, Channel.SMS)).isEqualTo("SCHEDULED");
		assertThat(reason(notification, Channel.SMS)).contains("no such message; sending again");
		assertThat(providers.smsTo(patient.phone())).isZero();

		this.poller.pollOnce();
		assertThat(state(notification, Channel.SMS)).isIn("SENT", "DELIVERED");
		assertThat(attempts(notification, Channel.SMS)).isEqualTo(2);
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);
	}

	@Test
	void marksSentAnAttemptLostAfterTheProviderCallWithoutSendingItAgain() {
		Patient patient = this.patients.patient().store();
		Notification notification = store(notification(patient, Priority.NORMAL, null));
		Attempt attempt = this.batches.claim(20, Channel.SMS).attempts().getFirst();
		// the provider takes it, then the process dies before recording the answer
		SendResult answer = attempt.sender().send(attempt.message());
		assertThat(answer).isInstanceOf(SendResult.Accepted.class);

		awaitReconciled(notification, Channel.SMS);
		// the stand-in's delivery receipt may have come first: it waited for the send to be recorded
		assertThat(state(notification, Channel.SMS)).isIn("SENT", "DELIVERED");
		assertThat(providerMessageId(notification, Channel.SMS))
			.isEqualTo(((SendResult.Accepted) answer).providerMessageId());
		this.poller.pollOnce();
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);
	}

	@Test
	void keepsTheProvidersIdOfAMessageThePatientReadWhileItWasSending() {
		Patient patient = this.patients.patient().store();
		Notification notification = store(notification(patient, Priority.NORMAL, null));
		Attempt attempt = this.batches.claim(20, Channel.SMS).attempts().getFirst();
		SendResult answer = attempt.sender().send(attempt.message());
		assertThat(answer).isInstanceOf(SendResult.Accepted.class);
		// the patient opens the notification in the portal before the sender records the provider's answer
		this.transactions.executeWithoutResult((status) -> {
			List<Notification> locked = this.notifications.lock(List.of(notification.id()));
			locked.forEach((n) -> n.markRead(Instant.now()));
			this.notifications.saveChanges(locked, Instant.now());
		});

		this.batches.record(List.of(new SendBatches.Outcome(attempt, answer, Instant.now())));

		assertThat(state(notification, Channel.SMS)).isEqualTo("READ");
		// dropped before: nothing led from the provider's records and receipts to the delivery any more
		assertThat(providerMessageId(notification, Channel.SMS))
			.isEqualTo(((SendResult.Accepted) answer).providerMessageId());
		this.poller.pollOnce();
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);
	}

	@Test
	void keepsAnAttemptWhoseAnswerNeverCameSendingUntilTheProviderConfirmsIt() {
		Patient patient = this.patients.patient().store();
		Notification notification = store(notification(patient, Priority.NORMAL, null));
		// the stand-in stores the message and answers after the sender gave up waiting
		providers.standins().faults().delayNext(Faults.Target.SMS, 1, Duration.ofSeconds(3));

		this.poller.pollOnce();
		assertThat(state(notification, Channel.SMS)).isEqualTo("SENDING");
		assertThat(reason(notification, Channel.SMS)).isNotBlank();

		awaitReconciled(notification, Channel.SMS);
		assertThat(state(notification, Channel.SMS)).isIn("SENT", "DELIVERED");
		// found by the lookup, it went out: it kept "twilio: no answer before the read timeout", delivered too
		assertThat(reason(notification, Channel.SMS)).isNull();
		this.poller.pollOnce();
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);
	}

	@Test
	void failsAPushWhoseOutcomeNobodyCanTellWithoutResendingItAndFallsBackToSms() {
		String token = "token-" + UUID.randomUUID();
		Patient patient = this.patients.patient().push(token).store();
		Notification notification = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.PUSH)));
		assertThat(this.batches.claim(20, Channel.PUSH).attempts()).hasSize(1);

		// FCM has no lookup: asked again until the give-up time, then failed, never resent
		awaitReconciled(notification, Channel.PUSH);
		assertThat(state(notification, Channel.PUSH)).isEqualTo("FAILED");
		assertThat(reason(notification, Channel.PUSH)).contains("not sent again");
		this.poller.pollOnce();
		assertThat(state(notification, Channel.SMS)).isIn("SENT", "DELIVERED");
		assertThat(providers.standins().push().sent()).noneMatch((push) -> push.token().equals(token));
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);
	}

	@Test
	void removesAnUnregisteredPushTokenAndFallsBackToSms() {
		String token = "token-" + UUID.randomUUID();
		providers.standins().faults().unregister(token);
		Patient patient = this.patients.patient().push(token).store();
		Notification notification = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.PUSH)));

		this.poller.pollOnce();
		assertThat(state(notification, Channel.PUSH)).isEqualTo("UNDELIVERABLE");
		assertThat(this.contacts.find(patient.id()).orElseThrow().pushTokens()).isEmpty();
		assertThat(state(notification, Channel.SMS)).isEqualTo("PENDING");

		this.poller.pollOnce();
		assertThat(state(notification, Channel.SMS)).isIn("SENT", "DELIVERED");
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);
	}

	@Test
	void triesThePatientsNextDeviceWhenTheNewestIsUnregistered() {
		String older = "token-" + UUID.randomUUID();
		String newest = "token-" + UUID.randomUUID();
		providers.standins().faults().unregister(newest);
		Patient patient = this.patients.patient().push(older).push(newest).store();
		Notification notification = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.PUSH)));

		this.poller.pollOnce();
		assertThat(state(notification, Channel.PUSH)).isEqualTo("SCHEDULED");
		assertThat(reason(notification, Channel.PUSH)).contains("next device");
		assertThat(this.contacts.find(patient.id()).orElseThrow().pushTokens()).containsExactly(older);

		this.poller.pollOnce();
		assertThat(state(notification, Channel.PUSH)).isIn("SENT", "DELIVERED");
		assertThat(providers.standins().push().sent()).extracting(SentPush::token).contains(older);
		// push reached the patient: no fallback (before: UNDELIVERABLE, then an SMS)
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM delivery WHERE notification_id = ? AND channel <> 'PUSH'",
				Integer.class, notification.id().value())).isZero();
		assertThat(providers.smsTo(patient.phone())).isZero();
	}

	@Test
	void fallsBackToEmailWhenTheSmsProviderRefusesTheMessage() {
		providers.standins().faults().rejectNext(Faults.Target.SMS, 1);
		Patient patient = this.patients.patient().email(true).store();
		Notification notification = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.SMS)));

		this.poller.pollOnce();
		assertThat(state(notification, Channel.SMS)).isEqualTo("FAILED");
		this.poller.pollOnce();
		assertThat(state(notification, Channel.EMAIL)).isEqualTo("SENT");
		assertThat(providers.standins().mail().received()).anySatisfy(
				(mail) -> assertThat(mail.to()).contains(patient.email()));
	}

	@Test
	void recordsTheOptOutTheSmsProviderReportsSoLaterNoticesSkipSms() {
		Patient patient = this.patients.patient().email(true).store();
		// the number texted STOP and the provider honours it, but its inbound webhook never reached this service
		providers.standins().sms().inboundUrl(null);
		try {
			providers.standins().sms().receive(patient.phone(), "STOP");
		}
		finally {
			providers.standins().sms().inboundUrl(providers.appUrl() + ChannelsProperties.Sms.INBOUND_PATH);
		}
		Notification first = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.SMS, Channel.EMAIL)));

		this.poller.pollOnce();
		assertThat(state(first, Channel.SMS)).isEqualTo("FAILED");
		assertThat(reason(first, Channel.SMS)).startsWith("twilio 21610:");
		// recorded as an inbound STOP is: the preferences say so, audited
		Contact contact = this.contacts.find(patient.id()).orElseThrow();
		assertThat(contact.channels().sms()).isFalse();
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM audit_log WHERE action = 'sms.opt-out' AND resource_id = ? AND outcome = 'applied'",
				Integer.class, patient.id())).isOne();

		// before: each later notice tried SMS again and ended FAILED
		Notification later = store(notification(patient, Priority.NORMAL, EnumSet.of(Channel.SMS)));
		this.poller.pollOnce();
		assertThat(state(later, Channel.SMS)).isEqualTo("SUPPRESSED");
		assertThat(reason(later, Channel.SMS)).isEqualTo("The patient opted out of SMS");
		assertThat(providers.standins().sms().sent()).noneMatch((sms) -> patient.phone().equals(sms.to()));
	}

	@Test
	void reschedulesAThrottledSendNoEarlierThanTheProvidersRetryAfter() {
		providers.standins().faults().throttleNext(Faults.Target.SMS, 1, 600);
		Patient patient = this.patients.patient().store();
		Notification notification = store(notification(patient, Priority.NORMAL, null));

		this.poller.pollOnce();
		assertThat(state(notification, Channel.SMS)).isEqualTo("SCHEDULED");
		Instant startedAt = time(notification, Channel.SMS, "sending_started_at");
		assertThat(time(notification, Channel.SMS, "next_attempt_at")).isAfterOrEqualTo(startedAt.plusSeconds(600));
		assertThat(attempts(notification, Channel.SMS)).isEqualTo(1);
		assertThat(providers.smsTo(patient.phone())).isZero();
	}

	@Test
	void suppressesAnSmsThePatientOptedOutOfAfterTheNoticeWasCreated() {
		Patient patient = this.patients.patient().store();
		Notification notification = store(notification(patient, Priority.NORMAL, null));
		this.jdbc.update("UPDATE contact SET sms_opt_in = false WHERE patient_id = ?", patient.id());

		this.poller.pollOnce();
		assertThat(state(notification, Channel.SMS)).isEqualTo("SUPPRESSED");
		assertThat(reason(notification, Channel.SMS)).isEqualTo("The patient opted out of SMS");
		assertThat(providers.smsTo(patient.phone())).isZero();
	}

	@Test
	void holdsANormalNoticeInQuietHoursUntilTheWindowEndsButSendsAnUrgentOne() {
		ZoneId tokyo = ZoneId.of("Asia/Tokyo");
		ZonedDateTime now = ZonedDateTime.now(tokyo).truncatedTo(ChronoUnit.MINUTES);
		LocalTime end = now.plusHours(1).toLocalTime();
		Patient patient = this.patients.patient()
			.timezone(tokyo.getId())
			.quietHours(now.minusHours(1).toLocalTime(), end)
			.store();
		Notification normal = store(notification(patient, Priority.NORMAL, null));
		Notification urgent = store(notification(patient, Priority.URGENT, null));

		this.poller.pollOnce();
		assertThat(state(normal, Channel.SMS)).isEqualTo("SCHEDULED");
		assertThat(time(normal, Channel.SMS, "next_attempt_at")).isEqualTo(now.plusHours(1).toInstant());
		assertThat(reason(normal, Channel.SMS)).isEqualTo("Quiet hours in the patient's timezone until " + end);
		assertThat(state(urgent, Channel.SMS)).isIn("SENT", "DELIVERED");
		assertThat(providers.smsTo(patient.phone())).isEqualTo(1);
	}

	@Test
	void holdsAResultNoticeOverTheFrequencyCapForAWindowWithTheReason() {
		Patient patient = this.patients.patient().store();
		List<Notification> three = List.of(store(notification(patient, Priority.NORMAL, null)),
				store(notification(patient, Priority.NORMAL, null)), store(notification(patient, Priority.NORMAL, null)));

		this.poller.pollOnce();
		assertThat(three).extracting((n) -> state(n, Channel.SMS))
			.filteredOn((state) -> !state.equals("SCHEDULED"))
			.hasSize(2)
			.allSatisfy((state) -> assertThat(state).isIn("SENT", "DELIVERED"));
		// before: suppressed, and the patient never heard of that result
		Notification capped = three.stream().filter((n) -> state(n, Channel.SMS).equals("SCHEDULED")).findFirst()
			.orElseThrow();
		assertThat(reason(capped, Channel.SMS)).isEqualTo(
				"Frequency cap: 2 notifications of type test-result-ready to this patient within 1h; held, not dropped");
		assertThat(time(capped, Channel.SMS, "next_attempt_at")).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
		assertThat(providers.smsTo(patient.phone())).isEqualTo(2);
	}

	private void awaitReconciled(Notification notification, Channel channel) {
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
			this.poller.reconcileOnce();
			return !"SENDING".equals(state(notification, channel));
		});
	}

	private Notification store(Notification notification) {
		assertThat(this.notifications.storeNew(List.of(notification))).isEqualTo(1);
		return notification;
	}

	private static Notification notification(Patient patient, Priority priority, Set<Channel> channels) {
		NewNotification content = new NewNotification("test-result-ready", patient.id(), priority,
				"test:" + UUID.randomUUID(), null, Map.of("orderId", "ORD-1"), null, Instant.now(), channels);
		EnumSet<Channel> targets = (channels != null) ? EnumSet.copyOf(channels) : EnumSet.of(Channel.SMS);
		return Notification.create(content,
				targets.stream().map(org.patientplatform.notification.delivery.ChannelTarget::reachable).toList(),
				Instant.now().minusSeconds(1));
	}

	private Map<String, Object> delivery(Notification notification, Channel channel) {
		return this.jdbc.queryForMap("SELECT * FROM delivery WHERE notification_id = ? AND channel = ?",
				notification.id().value(), channel.name());
	}

	private Instant time(Notification notification, Channel channel, String column) {
		return this.jdbc.queryForObject("SELECT " + column + " FROM delivery WHERE notification_id = ? AND channel = ?",
				OffsetDateTime.class, notification.id().value(), channel.name()).toInstant();
	}

	private String state(Notification notification, Channel channel) {
		List<String> states = this.jdbc.queryForList(
				"SELECT state FROM delivery WHERE notification_id = ? AND channel = ?", String.class,
				notification.id().value(), channel.name());
		return states.isEmpty() ? "NONE" : states.getFirst();
	}

	private String reason(Notification notification, Channel channel) {
		return (String) delivery(notification, channel).get("reason");
	}

	private int attempts(Notification notification, Channel channel) {
		return (Integer) delivery(notification, channel).get("attempts");
	}

	private String providerMessageId(Notification notification, Channel channel) {
		return (String) delivery(notification, channel).get("provider_message_id");
	}

}
