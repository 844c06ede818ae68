package org.patientplatform.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongFunction;

import org.HdrHistogram.Histogram;
import org.patientplatform.bench.Infrastructure.Database;
import org.patientplatform.local.infra.LocalSigningKey;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * API latency under open-loop load ({@link OpenLoop}: fixed request rates, each request timed from its
 * intended start, so coordinated omission is corrected; HdrHistogram) for the operators' and clients'
 * typical calls, with the DLQ and notification services running in this JVM with role {@code app} on
 * fresh databases, and a JWT of a local signing key:
 * <ul>
 * <li>{@code dlq-read}: {@code GET /api/v1/dlq/messages/{id}} of random entries (token role {@code ops});</li>
 * <li>{@code dlq-search}: {@code GET /api/v1/dlq/messages?sourceService=…&topic=…}, a page of 50 (ops);</li>
 * <li>{@code notification-read}: {@code GET /api/v1/notifications/{id}} of random notifications, each read
 * audited by the service (token role {@code staff});</li>
 * <li>{@code notification-post}: {@code POST /api/v1/notifications} (role {@code service}) where the
 * service has it; a probe decides, and without it the endpoint is reported pending.</li>
 * </ul>
 * The raw limit, at the same rates with the same client: {@code GET /actuator/health/liveness} of the same
 * DLQ service, a trivial endpoint (no token, no database), measured before and after the endpoints at each
 * rate into one histogram. The DLQ database holds entries of
 * {@code bin/dlq-seed} (100,000), the notification database notifications with two deliveries each.
 */
final class ApiLatencyBenchmark implements Benchmark {

	static final String NAME = "api-latency";

	static final int[] RATES = { 100, 500 };

	static final String LIVENESS = "liveness";

	static final String LIVENESS_CALL = "GET /actuator/health/liveness (DLQ service)";

	static final String DLQ_READ = "dlq-read";

	static final String DLQ_SEARCH = "dlq-search";

	static final String NOTIFICATION_READ = "notification-read";

	static final String NOTIFICATION_POST = "notification-post";

	/** Patients with a known contact; the seeded notifications and the sends go to them. */
	static final int PATIENTS = 5_000;

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Result run(Infrastructure infrastructure, Options options) throws Exception {
		int top = RATES[RATES.length - 1];
		long topCount = options.size(5_000, 50);
		long warmup = options.smoke() ? 20 : 2_500;
		long entries = options.smoke() ? 1_000 : 100_000;
		long notifications = options.smoke() ? 200 : 10_000;
		String bootstrap = infrastructure.broker().bootstrapServers();
		LocalSigningKey key = Services.signingKey();
		Result.Builder result = Result.of(NAME);
		Map<String, Object> curves = new LinkedHashMap<>();
		Map<String, Object> runs = new LinkedHashMap<>();
		Map<String, Object> pending = new LinkedHashMap<>();
		List<String> summary = new ArrayList<>();
		List<Endpoint> measured = new ArrayList<>();
		try (Database dlqDb = infrastructure.freshDatabase("apidlq");
				Database notificationDb = infrastructure.freshDatabase("apinotif");
				ConfigurableApplicationContext dlq = Services.dlq("app", bootstrap, dlqDb, key);
				ConfigurableApplicationContext notification = Services.notification("app", bootstrap, notificationDb,
						key)) {
			DlqSeed.load(dlqDb, entries);
			dlqDb.execute("VACUUM ANALYZE dead_letter_record, dead_letter_state");
			seedNotifications(notificationDb, notifications);
			List<UUID> entryIds = ids(dlqDb, "SELECT id FROM dead_letter_entry ORDER BY random() LIMIT 1000");
			List<UUID> notificationIds = ids(notificationDb, "SELECT id FROM notification ORDER BY random() LIMIT 1000");
			HttpClient client = Api.client();
			Api dlqApi = new Api(client, Services.port(dlq), Services.token(key, "ops"));
			Api health = new Api(client, Services.port(dlq), null);
			Api staff = new Api(client, Services.port(notification), Services.token(key, "staff"));
			Api service = new Api(client, Services.port(notification), Services.token(key, "service"));
			Endpoint raw = new Endpoint(LIVENESS, LIVENESS_CALL, dlqDb, (i) -> health.get("/actuator/health/liveness"));
			List<Endpoint> endpoints = List.of(
					new Endpoint(DLQ_READ, "GET /api/v1/dlq/messages/{id}", dlqDb,
							(i) -> dlqApi.get("/api/v1/dlq/messages/" + entryIds.get((int) Math.floorMod(i, entryIds.size())))),
					new Endpoint(DLQ_SEARCH, "GET /api/v1/dlq/messages?sourceService=patient-service&topic=lis.inbound.v1",
							dlqDb,
							(i) -> dlqApi.get("/api/v1/dlq/messages?sourceService=patient-service&topic=lis.inbound.v1")),
					new Endpoint(NOTIFICATION_READ, "GET /api/v1/notifications/{id}", notificationDb, (i) -> staff
						.get("/api/v1/notifications/" + notificationIds.get((int) Math.floorMod(i, notificationIds.size())))),
					new Endpoint(NOTIFICATION_POST, "POST /api/v1/notifications", notificationDb,
							(i) -> service.post("/api/v1/notifications", notificationRequest(i))));
			for (Endpoint endpoint : endpoints) {
				HttpResponse<String> probe = dlqApi.send(endpoint.request(-1));
				if (probe.statusCode() / 100 == 2) {
					measured.add(endpoint);
				}
				else if (endpoint.name().equals(NOTIFICATION_POST)) {
					// the send API is being built: wired here, measured once it answers
					pending.put(endpoint.name(), endpoint.call() + " answered " + probe.statusCode());
				}
				else {
					throw new IllegalStateException(endpoint.call() + " answered " + probe.statusCode() + ": " + probe.body());
				}
			}
			// warm-up at the top rate: the JIT, the connection pools, the database's caches
			OpenLoop.run(client, raw.requests(), top, warmup);
			for (Endpoint endpoint : measured) {
				OpenLoop.run(client, endpoint.requests(), top, warmup);
			}
			for (int rate : RATES) {
				long count = Math.max(topCount * rate / top, options.smoke() ? 10 : 50);
				Map<String, Object> curvesAtRate = new LinkedHashMap<>();
				// the raw limit before and after the endpoints, in one histogram: it sees both ends of the noise
				Histogram limit = measure(client, raw, rate, count, runs, " before").latencies().copy();
				Map<Endpoint, Histogram> atRate = new LinkedHashMap<>();
				for (Endpoint endpoint : measured) {
					atRate.put(endpoint, measure(client, endpoint, rate, count, runs, "").latencies());
				}
				limit.add(measure(client, raw, rate, count, runs, " after").latencies());
				curvesAtRate.put(LIVENESS, Latencies.curve(limit));
				Latencies.summary(camel(LIVENESS) + "At" + rate, limit).forEach(result::raw);
				summary.add(rate + "/s: liveness " + Latencies.brief(limit));
				atRate.forEach((endpoint, latencies) -> {
					curvesAtRate.put(endpoint.name(), Latencies.curve(latencies));
					String prefix = camel(endpoint.name()) + "At" + rate;
					Latencies.summary(prefix, latencies).forEach(result::figure);
					// as in every ratio here, raw limit over platform: 1 = as fast as the trivial endpoint
					result.ratio(prefix + "P50", Latencies.ms(limit, 50), Latencies.ms(latencies, 50));
					result.ratio(prefix + "P99", Latencies.ms(limit, 99), Latencies.ms(latencies, 99));
					summary.add(endpoint.name() + " " + Latencies.brief(latencies));
				});
				curves.put(Integer.toString(rate), curvesAtRate);
			}
		}
		Map<String, String> calls = new LinkedHashMap<>();
		measured.forEach((endpoint) -> calls.put(endpoint.name(), endpoint.call()));
		return result.parameter("ratesPerSecond", List.of(100, 500))
			.parameter("requestsAtTopRate", topCount)
			.parameter("warmupRequestsPerEndpoint", warmup)
			.parameter("endpoints", calls)
			.parameter("rawLimit", LIVENESS_CALL)
			.parameter("dlqEntries", entries)
			.parameter("notifications", notifications)
			.parameter("client", "JDK HttpClient, HTTP/1.1, async sends on schedule; latency from the intended start")
			.diagnostic("runs", runs)
			.diagnostic("pending", pending)
			.diagnostic("percentileCurves", curves)
			.build(NAME + ": " + String.join("; ", summary)
					+ (pending.isEmpty() ? "" : " | pending: " + String.join(", ", pending.keySet())));
	}

	private static OpenLoop.Outcome measure(HttpClient client, Endpoint endpoint, int rate, long count,
			Map<String, Object> runs, String which) throws InterruptedException {
		CpuMeter cpu = CpuMeter.start(endpoint.db());
		long jit = jitMillis();
		long gc = gcMillis();
		OpenLoop.Outcome outcome = OpenLoop.run(client, endpoint.requests(), rate, count);
		CpuMeter.Usage used = cpu.stop();
		jit = jitMillis() - jit;
		gc = gcMillis() - gc;
		if (outcome.errors() > 0) {
			throw new IllegalStateException(endpoint.call() + " at " + rate + "/s: " + outcome.errors() + " of " + count
					+ " requests failed " + outcome.statuses());
		}
		Map<String, Object> run = new LinkedHashMap<>();
		run.put("requests", count);
		run.put("offeredPerSecond", Result.round(outcome.offeredPerSecond()));
		run.put("maxSendLagMs", Result.round(outcome.maxSendLagMs()));
		// this JVM: the client, the services and the broker; PostgreSQL: the backends of the endpoint's database
		run.putAll(used.perUnit(count, "Request"));
		// what else this JVM did meanwhile: still compiling (a warm-up too short), collecting
		run.put("jitCompileMs", jit);
		run.put("gcMs", gc);
		runs.put(endpoint.name() + "@" + rate + which, run);
		return outcome;
	}

	private static long jitMillis() {
		CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
		return (compiler != null && compiler.isCompilationTimeMonitoringSupported()) ? compiler.getTotalCompilationTime()
				: 0;
	}

	private static long gcMillis() {
		long total = 0;
		for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
			total += Math.max(0, collector.getCollectionTime());
		}
		return total;
	}

	/** {@code dlq-read} to {@code dlqRead}. */
	static String camel(String name) {
		StringBuilder camel = new StringBuilder();
		boolean upper = false;
		for (char c : name.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				camel.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return camel.toString();
	}

	/** A send request as a service would make it, with an idempotency key of its own. */
	private static Map<String, Object> notificationRequest(long i) {
		Map<String, Object> request = new LinkedHashMap<>();
		request.put("type", "appointment-reminder");
		request.put("patientId", "patient-" + Math.floorMod(i, PATIENTS));
		request.put("priority", "NORMAL");
		request.put("idempotencyKey", "bench-" + UUID.randomUUID());
		request.put("parameters", Map.of("appointmentDate", "2026-12-01"));
		return request;
	}

	/**
	 * The patients' contacts (phone, email, opted in to both, no quiet hours), and notifications with an
	 * SMS and an email delivery each for the read endpoint: the columns every version of the schema so far
	 * requires, the rest left to their defaults.
	 */
	static void seedNotifications(Database db, long notifications) throws Exception {
		db.execute(("""
				INSERT INTO contact (patient_id, given_name, phone_e164, email, language, timezone, sms_opt_in,
				    email_opt_in, push_opt_in, details_at, preferences_at, locale_at)
				SELECT 'patient-' || i, 'Bench', '+1415555' || lpad(i::text, 4, '0'), 'patient-' || i || '@example.test',
				       'en', 'UTC', true, true, false, now(), now(), now()
				FROM generate_series(0, %d) AS i
				""").formatted(PATIENTS - 1), ("""
				INSERT INTO notification (id, patient_id, type, priority, idempotency_key, source_event_id, parameters,
				    state, created_at, updated_at)
				SELECT gen_random_uuid(), 'patient-' || (i %% %d), 'test-result-ready', 'NORMAL', 'bench-' || i,
				       'bench-event-' || i, jsonb_build_object('orderId', 'order-' || i), 'DELIVERED',
				       now() - i * interval '1 second', now() - i * interval '1 second'
				FROM generate_series(1, %d) AS i
				""").formatted(PATIENTS, notifications), """
				INSERT INTO delivery (id, notification_id, channel, state, attempts, state_changed_at, created_at,
				    updated_at)
				SELECT gen_random_uuid(), n.id, c.channel, 'DELIVERED', 1, n.created_at, n.created_at, n.created_at
				FROM notification n CROSS JOIN (VALUES ('SMS'), ('EMAIL')) AS c(channel)
				""", "ANALYZE contact", "ANALYZE notification", "ANALYZE delivery");
	}

	private static List<UUID> ids(Database db, String sql) throws Exception {
		List<UUID> ids = new ArrayList<>();
		try (Connection connection = db.connect(); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(sql)) {
			while (rs.next()) {
				ids.add(rs.getObject(1, UUID.class));
			}
		}
		if (ids.isEmpty()) {
			throw new IllegalStateException("Nothing seeded: " + sql);
		}
		return ids;
	}

	/**
	 * An endpoint under load.
	 *
	 * @param name its short name, e.g. {@code dlq-read}
	 * @param call the HTTP call, for the results
	 * @param db the database it reads or writes (whose backends' CPU is measured)
	 * @param requests makes the i-th request ({@code -1} for the probe)
	 */
	record Endpoint(String name, String call, Database db, LongFunction<HttpRequest> requests) {

		HttpRequest request(long i) {
			return this.requests.apply(i);
		}

	}

}
