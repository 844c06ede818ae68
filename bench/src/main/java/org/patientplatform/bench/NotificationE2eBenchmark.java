package org.patientplatform.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventSerializer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.patientplatform.bench.Infrastructure.Database;
import org.patientplatform.bench.KafkaPerfTools.ProducerFigures;
import org.patientplatform.notification.NotificationApplication;
import org.patientplatform.notification.results.TestResultReady;
import org.patientplatform.standins.ProviderStandins;
import org.patientplatform.standins.SentPush;
import org.patientplatform.standins.SentSms;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Notification end to end (issue 6 point 9): TestResultReady events, in the platform's CloudEvents
 * binary format, produced to a 12-partition {@code lab.test-results.v1} at fixed offered rates (open
 * loop: event {@code i} is due at {@code start + i / rate} and carries that time as its {@code time}),
 * then as one burst at the producer's full speed, and timed until the provider stand-ins (the
 * Twilio-compatible SMS API and FCM v1, in this JVM) accept the corresponding messages. The notification
 * service runs in this JVM with roles {@code consumer-test-result-notification} and
 * {@code wrk--notifications} on a fresh database, its providers pointed at the stand-ins, its provider
 * rate limits set out of the way. The receipt path is not part of this measurement: the SMS stand-in's
 * status callbacks are deferred an hour, past the run (they would cost this JVM's cores two HTTP calls
 * per SMS), and point at a sink here.
 * <p>
 * Every event is for a different patient whose contact is seeded beforehand (55% SMS only, 25% push
 * only, 20% both; a quarter in Spanish; no quiet hours), so no frequency cap or quiet hours hold any
 * message back. A message is matched to its event through the notification it belongs to (the portal
 * link in the SMS body, the {@code notificationId} of the push data) and that notification's stored
 * event time. The latency of a message runs from its event's time to the stand-in's acceptance, so any
 * stall of the pipeline, the producer or the machine counts (corrected for coordinated omission).
 * <p>
 * The raw limits, measured in the same run before the fixed rates and after the burst: Kafka's
 * {@code ProducerPerformance} with records of the events' size (key, value and headers) on a
 * 12-partition topic, PostgreSQL's batched inserts and single-row commits ({@link RawPostgres}) in the
 * same database, and the SMS stand-in's own acceptance rate for the service's kind of request over the
 * JDK's HTTP client, 32 at a time (the provider side of the path alone).
 */
final class NotificationE2eBenchmark implements Benchmark {

	static final String NAME = "notification-e2e";

	static final String ROLES = "consumer-test-result-notification,wrk--notifications";

	static final int PARTITIONS = 12;

	/** The fixed offered rates, events per second; the burst follows them. */
	static final int[] RATES = { 250, 500, 1000 };

	/** The smoke run's one rate. */
	static final int SMOKE_RATE = 250;

	static final String BURST = "burst";

	private static final String PORTAL = "https://portal.bench.patient-platform.local";

	private static final Pattern PORTAL_LINK = Pattern.compile("/notifications/([0-9a-fA-F-]{36})");

	private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);

	private static final String SOURCE = "urn:patient-platform:patient-service";

	private static final Duration STATUS_DELAY = Duration.ofHours(1);

	/** The service's {@code max-concurrent-sends}: provider calls in flight at once. */
	static final int STANDIN_CONCURRENCY = 32;

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Result run(Infrastructure infrastructure, Options options) throws Exception {
		boolean smoke = options.smoke();
		long topCount = options.size(30_000, 200);
		int topRate = smoke ? SMOKE_RATE : RATES[RATES.length - 1];
		int[] rates = smoke ? new int[] { SMOKE_RATE } : RATES;
		// warm-up: a burst brings the JIT's compilations of the whole path forward, a steady rate follows
		long warmupBurstEvents = smoke ? 50 : 10_000;
		long warmupEvents = smoke ? 50 : 5_000;
		int warmupRate = smoke ? SMOKE_RATE : 500;
		long burstEvents = topCount;
		List<Phase> phases = new ArrayList<>();
		long nextPatient = 0;
		List<Phase> warmups = List.of(new Phase("warmup-burst", 0, nextPatient, warmupBurstEvents),
				new Phase("warmup", warmupRate, nextPatient + warmupBurstEvents, warmupEvents));
		nextPatient += warmupBurstEvents + warmupEvents;
		for (int rate : rates) {
			long events = Math.max(topCount * rate / topRate, 1);
			phases.add(new Phase(Integer.toString(rate), rate, nextPatient, events));
			nextPatient += events;
		}
		Phase burst = new Phase(BURST, 0, nextPatient, burstEvents);
		nextPatient += burstEvents;
		long patients = nextPatient;
		long rawRecords = smoke ? 500 : 50_000;
		long rawRows = smoke ? 1_000 : 50_000;
		long rawCommits = smoke ? 200 : 5_000;
		long rawAccepts = smoke ? 500 : 20_000;

		String bootstrap = infrastructure.broker().bootstrapServers();
		String topic = infrastructure.newTopic("lab.test-results.v1", PARTITIONS);
		Throughput produce = new Throughput();
		Throughput batched = new Throughput();
		Throughput single = new Throughput();
		Throughput accepts = new Throughput();
		double brokerProduceCpu = 0;
		Map<String, Measured> measured = new LinkedHashMap<>();
		Map<String, Object> checks = new LinkedHashMap<>();
		Map<String, Object> curves = new LinkedHashMap<>();
		Map<String, Object> storage = new LinkedHashMap<>();
		Events events = new Events(topic);
		int recordBytes = events.recordBytes();
		try (CallbackSink sink = CallbackSink.start();
				ProviderStandins standins = ProviderStandins.start(standinsConfig());
				Database db = infrastructure.freshDatabase("notife2e");
				ConfigurableApplicationContext service = startService(bootstrap, db, topic, standins, sink);
				KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
			seedContacts(db, patients);
			for (int round = 0; round < 2; round++) {
				if (round == 1) {
					// warm-up: the JIT, the pools, the consumer group's assignment, the FCM access token
					for (Phase warmup : warmups) {
						run(warmup, events, producer, standins, db);
						standins.reset();
					}
					for (Phase phase : phases) {
						measured.put(phase.name(), run(phase, events, producer, standins, db));
						standins.reset();
					}
					measured.put(BURST, run(burst, events, producer, standins, db));
					standins.reset();
				}
				// the raw limits, before the platform's phases and after them, on the same broker and database
				String rawTopic = infrastructure.newTopic("bench.notification-raw", PARTITIONS);
				ProducerFigures produced = KafkaPerfTools.produce(bootstrap, rawTopic, rawRecords, rawRecords / 10,
						recordBytes);
				produce.addRate(produced.records(), produced.recordsPerSecond());
				brokerProduceCpu += produced.brokerCpuMicrosPerRecord() / 2;
				batched.add(rawRows, RawPostgres.batchedInserts(db, rawRows, RawPostgresBenchmark.THREADS));
				single.add(rawCommits, RawPostgres.singleRowInserts(db, rawCommits, RawPostgresBenchmark.THREADS));
				accepts.add(rawAccepts, standinAccepts(standins, sink, rawAccepts, db));
				standins.reset();
			}
			checks.put("notifications", db.count("SELECT count(*) FROM notification"));
			checks.put("eventsProduced", patients);
			checks.put("deliveriesNotSent", db.count("SELECT count(*) FROM delivery WHERE state <> 'SENT' "
					+ "AND state <> 'DELIVERED'"));
			checks.put("callbacksAnswered", sink.received());
			storage.putAll(storage(db));
		}

		Result.Builder result = Result.of(NAME);
		List<String> summary = new ArrayList<>();
		Map<String, Object> runs = new LinkedHashMap<>();
		long duplicates = 0;
		long unmatched = 0;
		for (Map.Entry<String, Measured> entry : measured.entrySet()) {
			String key = entry.getKey();
			Measured m = entry.getValue();
			String prefix = key.equals(BURST) ? BURST : "at" + key;
			result.figure(prefix + "EventsPerSecond", m.eventsPerSecond());
			Latencies.summary(prefix, m.latencies()).forEach(result::figure);
			if (!key.equals(BURST)) {
				// the burst's latencies are its queue, not a latency at a rate
				curves.put(key, Map.of(NAME, Latencies.curve(m.latencies())));
			}
			runs.put(key, m.describe());
			duplicates += m.matching().duplicates;
			unmatched += m.matching().unmatched;
			summary.add(key.equals(BURST)
					? "burst of %,d: %s events".formatted(m.phase().events(), Result.rate(m.eventsPerSecond()))
					: "%s/s offered: %s sustained, %s".formatted(key, Result.rate(m.eventsPerSecond()),
							Latencies.brief(m.latencies())));
		}
		checks.put("duplicateMessages", duplicates);
		checks.put("unmatchedMessages", unmatched);
		Measured top = measured.get(BURST);
		double burstRate = (top != null) ? top.eventsPerSecond() : 0;
		double burstMessages = (top != null && top.seconds() > 0) ? top.matching().messages / top.seconds() : 0;
		return result.parameter("roles", ROLES)
			.parameter("partitions", PARTITIONS)
			.parameter("ratesPerSecond", java.util.Arrays.stream(rates).boxed().toList())
			.parameter("eventsAtTopRate", topCount)
			.parameter("burstEvents", burstEvents)
			.parameter("warmupEvents", Map.of("burst", warmupBurstEvents, "atRate" + warmupRate, warmupEvents))
			.parameter("patients", patients)
			.parameter("contactMix", "55% SMS only, 25% push only, 20% SMS and push; 25% Spanish; no quiet hours")
			.parameter("recordBytes", recordBytes)
			.parameter("providerRateLimitsPerSecond", 100_000)
			.parameter("smsStatusCallbacks", "deferred an hour, past the run (receipts are not measured)")
			.parameter("producer", KafkaPerfTools.platformProducerProperties())
			.parameter("rawProduceRecords", rawRecords * 2)
			.parameter("rawInsertRows", rawRows * 2)
			.parameter("rawSingleRowCommits", rawCommits * 2)
			.parameter("rawStandinSmsRequests", rawAccepts * 2)
			.parameter("rawStandinConcurrency", STANDIN_CONCURRENCY)
			.parameter("rawInsertThreads", RawPostgresBenchmark.THREADS)
			.parameter("rawInsertBatchSize", RawPostgres.BATCH_SIZE)
			.raw("produceRecordsPerSecond", produce.perSecond())
			.raw("batchedInsertRowsPerSecond", batched.perSecond())
			.raw("singleRowCommitsPerSecond", single.perSecond())
			.raw("standinSmsAcceptsPerSecond", accepts.perSecond())
			.ratio("burstToRawProduce", burstRate, produce.perSecond())
			.ratio("burstToRawBatchedInsert", burstRate, batched.perSecond())
			.ratio("burstToRawSingleRowCommits", burstRate, single.perSecond())
			.ratio("burstMessagesToRawStandinAccepts", burstMessages, accepts.perSecond())
			.diagnostic("runs", runs)
			.diagnostic("checks", checks)
			.diagnostic("storage", storage)
			.diagnostic("rawBatchedInsert", batched.cpuPer("Row"))
			.diagnostic("rawStandinAccepts", accepts.cpuPer("Request"))
			.diagnostic("rawKafka", Map.of("brokerCpuMicrosPerRecordProduced", Result.round(brokerProduceCpu)))
			.diagnostic("percentileCurves", curves)
			.build(NAME + ": " + String.join("; ", summary)
					+ String.format(Locale.ROOT,
							" | raw produce %s (ratio %.3f), raw batched insert %s rows (ratio %.3f), "
									+ "single-row commits %s (ratio %.3f), "
									+ "stand-in SMS accepts %s (messages ratio %.3f)",
							Result.rate(produce.perSecond()), Result.ratio(burstRate, produce.perSecond()),
							Result.rate(batched.perSecond()), Result.ratio(burstRate, batched.perSecond()),
							Result.rate(single.perSecond()), Result.ratio(burstRate, single.perSecond()),
							Result.rate(accepts.perSecond()), Result.ratio(burstMessages, accepts.perSecond())));
	}

	/**
	 * Produces the phase's events (at its rate, or all at once for the burst), waits until the stand-ins
	 * accepted every message they make and the service recorded them, and matches each message to its
	 * event.
	 */
	private static Measured run(Phase phase, Events events, KafkaProducer<byte[], byte[]> producer,
			ProviderStandins standins, Database db) throws Exception {
		long expected = 0;
		for (long patient = phase.firstPatient(); patient < phase.firstPatient() + phase.events(); patient++) {
			expected += Mix.channels(patient);
		}
		CpuMeter cpu = CpuMeter.start(db);
		Instant started = Instant.now();
		Produced produced = events.produce(producer, phase);
		long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
		long accepted = 0;
		while (System.nanoTime() < deadline) {
			accepted = standins.sms().sentCount() + standins.push().sentCount();
			if (accepted >= expected) {
				break;
			}
			TimeUnit.MILLISECONDS.sleep(100);
		}
		CpuMeter.Usage usage = cpu.stop();
		Instant ended = Instant.now();
		if (accepted < expected) {
			throw new IllegalStateException(phase.name() + ": the stand-ins accepted " + accepted + " of " + expected
					+ " messages in " + DRAIN_TIMEOUT + "; deliveries by state: " + states(db));
		}
		// the senders record each batch after its calls: wait for it, so the phases do not overlap
		while (System.nanoTime() < deadline && db.count(
				"SELECT count(*) FROM delivery WHERE state IN ('PENDING', 'SCHEDULED', 'SENDING')") > 0) {
			TimeUnit.MILLISECONDS.sleep(50);
		}
		Map<String, Stored> stored = stored(db, phase);
		Matching matching = new Matching(stored);
		for (SentSms message : standins.sms().sent()) {
			Matcher link = PORTAL_LINK.matcher(message.body());
			matching.accept(link.find() ? link.group(1) : null, "SMS", message.dateCreated());
		}
		for (SentPush message : standins.push().sent()) {
			matching.accept(message.data().get("notificationId"), "PUSH", message.receivedAt());
		}
		double seconds = Duration.between(produced.first(), matching.last).toNanos() / 1e9;
		return new Measured(phase, produced, expected, matching, (seconds > 0) ? phase.events() / seconds : 0, seconds,
				usage, stored.size(), started, ended);
	}

	/**
	 * Matches the stand-ins' messages to the stored notifications and deliveries, and times each message
	 * from its event, overall and by stage: the event to its notification (the consumer), the notification
	 * to its delivery's claim (the send queue), the claim to the provider's acceptance.
	 */
	static final class Matching {

		private final Map<String, Stored> stored;

		private final Set<String> seen = new HashSet<>();

		final Histogram latencies = Latencies.histogram();

		final Map<String, Histogram> byChannel = new LinkedHashMap<>();

		final Map<String, Histogram> stages = new LinkedHashMap<>();

		Instant last = Instant.MIN;

		long duplicates;

		long unmatched;

		long messages;

		Matching(Map<String, Stored> stored) {
			this.stored = stored;
			for (String stage : List.of("eventToNotification", "notificationToClaim", "claimToAcceptance")) {
				this.stages.put(stage, Latencies.histogram());
			}
		}

		void accept(@Nullable String notificationId, String channel, Instant acceptedAt) {
			Stored notification = (notificationId != null) ? this.stored.get(notificationId) : null;
			if (notification == null) {
				this.unmatched++;
				return;
			}
			if (!this.seen.add(channel + " " + notificationId)) {
				this.duplicates++;
			}
			this.messages++;
			long nanos = Duration.between(notification.eventAt(), acceptedAt).toNanos();
			Latencies.record(this.latencies, nanos);
			Latencies.record(this.byChannel.computeIfAbsent(channel, (c) -> Latencies.histogram()), nanos);
			Instant claimedAt = notification.claimedAt().get(channel);
			Latencies.record(this.stages.get("eventToNotification"),
					Duration.between(notification.eventAt(), notification.createdAt()).toNanos());
			if (claimedAt != null) {
				Latencies.record(this.stages.get("notificationToClaim"),
						Duration.between(notification.createdAt(), claimedAt).toNanos());
				Latencies.record(this.stages.get("claimToAcceptance"),
						Duration.between(claimedAt, acceptedAt).toNanos());
			}
			if (acceptedAt.isAfter(this.last)) {
				this.last = acceptedAt;
			}
		}

	}

	/**
	 * A stored notification as the timing needs it.
	 *
	 * @param eventAt the time of its event
	 * @param createdAt when the consumer made it
	 * @param claimedAt when each of its deliveries was claimed (its attempt's start), by channel
	 */
	record Stored(Instant eventAt, Instant createdAt, Map<String, Instant> claimedAt) {
	}

	/** The notifications of the phase's patients with their deliveries' claim times, by notification id. */
	private static Map<String, Stored> stored(Database db, Phase phase) throws Exception {
		Map<String, Stored> stored = new HashMap<>();
		try (Connection connection = db.connect();
				PreparedStatement query = connection.prepareStatement("""
						SELECT n.id, n.source_event_at, n.created_at, d.channel, d.sending_started_at
						FROM notification n JOIN delivery d ON d.notification_id = n.id
						WHERE n.patient_id >= ? AND n.patient_id < ?
						""")) {
			query.setString(1, Mix.patientId(phase.firstPatient()));
			query.setString(2, Mix.patientId(phase.firstPatient() + phase.events()));
			try (ResultSet rs = query.executeQuery()) {
				while (rs.next()) {
					OffsetDateTime eventAt = rs.getObject(2, OffsetDateTime.class);
					if (eventAt == null) {
						continue;
					}
					Stored notification = stored.computeIfAbsent(rs.getObject(1, UUID.class).toString(),
							(id) -> new Stored(eventAt.toInstant(), instant(rs, 3), new HashMap<>()));
					OffsetDateTime claimedAt = rs.getObject(5, OffsetDateTime.class);
					if (claimedAt != null) {
						notification.claimedAt().put(rs.getString(4), claimedAt.toInstant());
					}
				}
			}
		}
		return stored;
	}

	private static Instant instant(ResultSet rs, int column) {
		try {
			return rs.getObject(column, OffsetDateTime.class).toInstant();
		}
		catch (java.sql.SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Per table: rows, bytes on disk per row (table, TOAST and indexes), indexes, and the share of updates
	 * that stayed on their page without touching the indexes (HOT).
	 */
	private static Map<String, Object> storage(Database db) throws Exception {
		Map<String, Object> storage = new LinkedHashMap<>();
		db.execute("SELECT pg_stat_force_next_flush()");
		for (String table : List.of("notification", "delivery")) {
			Map<String, Object> figures = new LinkedHashMap<>();
			long rows = db.count("SELECT count(*) FROM " + table);
			figures.put("rows", rows);
			long bytes = db.count("SELECT pg_total_relation_size('" + table + "')");
			figures.put("bytesPerRow", (rows > 0) ? bytes / rows : 0);
			figures.put("indexes", db.count("SELECT count(*) FROM pg_indexes WHERE tablename = '" + table + "'"));
			long updates = db.count("SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = '" + table + "'");
			long hot = db.count("SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = '" + table + "'");
			figures.put("updates", updates);
			figures.put("hotUpdateShare", Result.round((updates > 0) ? (double) hot / updates : 0));
			storage.put(table, figures);
		}
		return storage;
	}

	private static Map<String, Long> states(Database db) throws Exception {
		Map<String, Long> states = new LinkedHashMap<>();
		try (Connection connection = db.connect();
				PreparedStatement query = connection
					.prepareStatement("SELECT state, count(*) FROM delivery GROUP BY state ORDER BY state");
				ResultSet rs = query.executeQuery()) {
			while (rs.next()) {
				states.put(rs.getString(1), rs.getLong(2));
			}
		}
		states.put("notifications", db.count("SELECT count(*) FROM notification"));
		return states;
	}

	/**
	 * The notification service with the end-to-end roles, its providers at the stand-ins (rate limits out
	 * of the way), its status callbacks to the sink and its results topic the bench's.
	 */
	private static ConfigurableApplicationContext startService(String bootstrap, Database db, String topic,
			ProviderStandins standins, CallbackSink sink) {
		Map<String, Object> properties = Services.common(ROLES, bootstrap, db, Services.signingKey());
		properties.put("notification.topics.test-results", topic);
		properties.put("notification.portal-base-url", PORTAL);
		properties.put("notification.channels.sms.base-url", standins.smsBaseUrl());
		properties.put("notification.channels.sms.account-sid", standins.sms().accountSid());
		properties.put("notification.channels.sms.auth-token", standins.sms().authToken());
		properties.put("notification.channels.sms.from", standins.sms().number());
		properties.put("notification.channels.sms.status-callback-base-url", sink.url());
		properties.put("notification.channels.push.base-url", standins.pushBaseUrl());
		properties.put("notification.channels.push.token-uri", standins.tokenUri());
		properties.put("notification.channels.push.project-id", standins.push().projectId());
		properties.put("notification.channels.push.private-key", standins.serviceAccountPrivateKeyPem());
		properties.put("notification.channels.email.host", "127.0.0.1");
		properties.put("notification.channels.email.port", standins.mail().port());
		properties.put("notification.sending.default-rate-limit", 100_000);
		for (String provider : List.of("twilio", "fcm", "smtp")) {
			properties.put("notification.sending.rate-limits." + provider, 100_000);
		}
		return Services.start(NotificationApplication.class, properties);
	}

	/**
	 * The SMS stand-in's own acceptance rate: {@code requests} Messages API calls as the service makes
	 * them (form-encoded, Basic auth, a 150-character body, a status callback), over the JDK's HTTP client
	 * like the service's, {@link #STANDIN_CONCURRENCY} at a time; the provider side of the path alone.
	 */
	static RawPostgres.Timed standinAccepts(ProviderStandins standins, CallbackSink sink, long requests, Database db)
			throws Exception {
		String sid = standins.sms().accountSid();
		URI messages = URI.create(standins.smsBaseUrl() + "/2010-04-01/Accounts/" + sid + "/Messages.json");
		String authorization = "Basic " + Base64.getEncoder()
			.encodeToString((sid + ":" + standins.sms().authToken()).getBytes(StandardCharsets.UTF_8));
		String text = "Hi Alex, a new test result is ready in your patient portal: " + PORTAL
				+ "/notifications/00000000-0000-0000-0000-000000000000 Reply STOP to opt out.";
		AtomicLong next = new AtomicLong();
		AtomicLong refused = new AtomicLong();
		try (HttpClient client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build()) {
			CpuMeter cpu = CpuMeter.start(db);
			long started = System.nanoTime();
			try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
				for (int i = 0; i < STANDIN_CONCURRENCY; i++) {
					callers.submit(() -> {
						for (long n = next.getAndIncrement(); n < requests; n = next.getAndIncrement()) {
							String form = "To=" + URLEncoder.encode("+1312" + (5_000_000 + n), StandardCharsets.UTF_8)
									+ "&From=%2B15005550006&Body=" + URLEncoder.encode(text, StandardCharsets.UTF_8)
									+ "&StatusCallback="
									+ URLEncoder.encode(sink.url() + "/status", StandardCharsets.UTF_8);
							HttpResponse<String> response = client.send(HttpRequest.newBuilder(messages)
								.header("Authorization", authorization)
								.header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
								.POST(HttpRequest.BodyPublishers.ofString(form))
								.build(), HttpResponse.BodyHandlers.ofString());
							if (response.statusCode() != 201) {
								refused.incrementAndGet();
							}
						}
						return null;
					});
				}
			}
			RawPostgres.Timed timed = new RawPostgres.Timed(System.nanoTime() - started, cpu.stop());
			if (refused.get() > 0) {
				throw new IllegalStateException(
						"The SMS stand-in refused " + refused.get() + " of " + requests + " sends");
			}
			return timed;
		}
	}

	/**
	 * The stand-ins' defaults, but an SMS moves on from {@code queued} (and calls back) only after an hour:
	 * the stand-ins share this JVM's cores with the pipeline, and their status callbacks (two per SMS) are
	 * not part of the path measured.
	 */
	static ProviderStandins.Config standinsConfig() {
		return ProviderStandins.Config.defaults().withStatusDelay(STATUS_DELAY);
	}

	private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
		Map<String, Object> config = new HashMap<>(KafkaPerfTools.platformProducerProperties());
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
		config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-test-results");
		return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
	}

	/**
	 * The patients' contacts, as the contact projection stores them, in one statement: the mix of
	 * {@link Mix}, a valid US mobile number each, push tokens where push is on, no quiet hours.
	 */
	static void seedContacts(Database db, long patients) throws Exception {
		db.execute(("""
				INSERT INTO contact (patient_id, given_name, phone_e164, email, language, timezone, sms_opt_in,
				    email_opt_in, push_opt_in, push_tokens, details_at, preferences_at, locale_at)
				SELECT 'P-' || lpad(i::text, 9, '0'), (ARRAY['Alex', 'María', 'Sam', 'Jordan'])[1 + i %% 4],
				       '+1312' || (2000000 + i)::text, 'patient-' || i || '@example.test',
				       CASE WHEN i %% 4 = 3 THEN 'es' ELSE 'en' END,
				       (ARRAY['America/Chicago', 'America/New_York', 'America/Denver',
				              'America/Los_Angeles'])[1 + i %% 4],
				       (i %% 20 < 11 OR i %% 20 >= 16), false, (i %% 20 >= 11),
				       CASE WHEN i %% 20 >= 11 THEN ARRAY['fcm-bench-token-' || lpad(i::text, 12, '0')]
				            ELSE '{}'::text[] END,
				       now(), now(), now()
				FROM generate_series(0, %d) AS i
				""").formatted(patients - 1), "ANALYZE contact");
	}

	/** The contact mix by patient number: 55% SMS only, 25% push only, 20% both. */
	static final class Mix {

		private Mix() {
		}

		static String patientId(long patient) {
			return "P-" + String.format(Locale.ROOT, "%09d", patient);
		}

		/** How many messages the patient's notice makes: one (SMS or push) or two (both). */
		static int channels(long patient) {
			return (patient % 20 < 16) ? 1 : 2;
		}

	}

	/**
	 * One phase: {@code events} events for the patients from {@code firstPatient}, at {@code rate} events
	 * per second or, at 0, as fast as the producer goes.
	 */
	record Phase(String name, int rate, long firstPatient, long events) {
	}

	/**
	 * How the events went out.
	 *
	 * @param first the time of the first event
	 * @param offeredPerSecond the rate they went out at
	 * @param maxSendLagMs the most an event went out after its time (the producer's own stalls)
	 * @param produceSeconds how long producing them took
	 */
	record Produced(Instant first, double offeredPerSecond, double maxSendLagMs, double produceSeconds) {
	}

	/** What one phase measured. */
	record Measured(Phase phase, Produced produced, long expectedMessages, Matching matching, double eventsPerSecond,
			double seconds, CpuMeter.Usage cpu, long notifications, Instant started, Instant ended) {

		Histogram latencies() {
			return this.matching.latencies;
		}

		Map<String, Object> describe() {
			Map<String, Object> run = new LinkedHashMap<>();
			run.put("events", this.phase.events());
			// when the phase ran: to find it in a profile of the run
			run.put("from", this.started.truncatedTo(ChronoUnit.MILLIS).toString());
			run.put("to", this.ended.truncatedTo(ChronoUnit.MILLIS).toString());
			run.put("offeredRatePerSecond", (this.phase.rate() > 0) ? this.phase.rate() : "max");
			run.put("producedPerSecond", Result.round(this.produced.offeredPerSecond()));
			run.put("maxSendLagMs", Result.round(this.produced.maxSendLagMs()));
			run.put("produceSeconds", Result.round(this.produced.produceSeconds()));
			run.put("firstEventToLastAcceptanceSeconds", Result.round(this.seconds));
			run.put("notifications", this.notifications);
			run.put("messages", this.matching.messages);
			run.put("messagesPerSecond", Result.round((this.seconds > 0) ? this.matching.messages / this.seconds : 0));
			this.matching.byChannel.forEach((channel, histogram) -> run
				.put(channel.toLowerCase(Locale.ROOT) + "LatencyMs", Latencies.summary("", histogram)));
			Map<String, Object> stages = new LinkedHashMap<>();
			this.matching.stages.forEach((stage, histogram) -> stages.put(stage, Latencies.summary("", histogram)));
			run.put("stagesMs", stages);
			run.putAll(this.cpu.perUnit(Math.max(this.phase.events(), 1), "Event"));
			return run;
		}

	}

	/** TestResultReady events as the patient service publishes them (CloudEvents binary mode, keyed by patient). */
	static final class Events {

		private final String topic;

		private final JsonMapper json = JsonMapper.builder().build();

		private final URI source = URI.create(SOURCE);

		Events(String topic) {
			this.topic = topic;
		}

		ProducerRecord<byte[], byte[]> record(long patient, Instant time) {
			String patientId = Mix.patientId(patient);
			Instant released = time.truncatedTo(ChronoUnit.SECONDS);
			String orderId = "ORD-2026-" + String.format(Locale.ROOT, "%09d", patient);
			TestResultReady data = new TestResultReady(patientId, orderId,
					(patient % 3 == 0) ? "2345-7" : (patient % 3 == 1) ? "718-7" : "4548-4",
					released.minus(Duration.ofHours(6)), released);
			CloudEvent event = CloudEventBuilder.v1()
				.withId(UUID.randomUUID().toString())
				.withSource(this.source)
				.withType(TestResultReady.TYPE)
				.withSubject(patientId)
				.withTime(time.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC))
				.withDataContentType("application/json")
				.withData(this.json.writeValueAsBytes(data))
				.build();
			RecordHeaders headers = new RecordHeaders();
			byte[] value;
			try (CloudEventSerializer serializer = new CloudEventSerializer()) {
				serializer.configure(Map.of(), false);
				value = serializer.serialize(this.topic, headers, event);
			}
			return new ProducerRecord<>(this.topic, null, patientId.getBytes(StandardCharsets.UTF_8), value, headers);
		}

		/** The bytes of one record: key, value and headers. */
		int recordBytes() {
			ProducerRecord<byte[], byte[]> record = record(0, Instant.now());
			int bytes = record.key().length + record.value().length;
			for (var header : record.headers()) {
				bytes += header.key().length() + header.value().length;
			}
			return bytes;
		}

		/** Sends the phase's events open loop at its rate (or all at once) and flushes. */
		Produced produce(KafkaProducer<byte[], byte[]> producer, Phase phase) {
			Instant wallStart = Instant.now().plusMillis(5);
			long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
			long interval = (phase.rate() > 0) ? 1_000_000_000L / phase.rate() : 0;
			long maxLag = 0;
			Instant first = null;
			for (long i = 0; i < phase.events(); i++) {
				long intended = start + i * interval;
				long wait;
				while ((wait = intended - System.nanoTime()) > 0) {
					LockSupport.parkNanos(wait);
				}
				maxLag = Math.max(maxLag, -wait);
				// the event's time is when it was due: a late send counts in its latency
				Instant time = (phase.rate() > 0) ? wallStart.plusNanos(i * interval)
						: wallStart.plusNanos(System.nanoTime() - start);
				if (first == null) {
					first = time;
				}
				producer.send(record(phase.firstPatient() + i, time));
			}
			long sent = System.nanoTime();
			producer.flush();
			double seconds = Math.max(1, sent - start) / 1e9;
			return new Produced((first != null) ? first : wallStart, phase.events() / seconds,
					(phase.rate() > 0) ? maxLag / 1e6 : 0, (System.nanoTime() - start) / 1e9);
		}

	}

	/**
	 * Answers the SMS stand-in's status callbacks with 204 and counts them: the provider's callbacks are
	 * part of its protocol, the receipt path behind them is not measured here.
	 */
	static final class CallbackSink implements AutoCloseable {

		private final HttpServer server;

		private final AtomicLong received = new AtomicLong();

		private CallbackSink(HttpServer server) {
			this.server = server;
		}

		static CallbackSink start() throws IOException {
			HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
			CallbackSink sink = new CallbackSink(server);
			server.createContext("/", (exchange) -> {
				try (exchange; InputStream body = exchange.getRequestBody()) {
					body.readAllBytes();
					sink.received.incrementAndGet();
					exchange.sendResponseHeaders(204, -1);
				}
			});
			server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
			server.start();
			return sink;
		}

		String url() {
			return "http://127.0.0.1:" + this.server.getAddress().getPort();
		}

		long received() {
			return this.received.get();
		}

		@Override
		public void close() {
			this.server.stop(0);
		}

	}

}
