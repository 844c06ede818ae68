package org.patientplatform.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.patientplatform.bench.DlqCaptureBenchmark.FailedRecords;
import org.patientplatform.bench.Infrastructure.Database;
import org.patientplatform.bench.KafkaPerfTools.ProducerFigures;
import org.patientplatform.local.infra.LocalSigningKey;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * DLQ bulk redrive through the DLQ service's own path: {@code POST /api/v1/dlq/redrives} (role
 * {@code app}) snapshots the selected entries and enqueues the kit job that {@code BulkRedriveJob} runs
 * (role {@code wrk--default}), which sends them back to their original topic in chunks, marking each
 * entry and the job's progress in the chunk's transaction.
 * <p>
 * N entries (1 KB payloads, the kit's failed-record headers) are first stored through the service's
 * capture (role {@code consumer-retry-message}), with one original topic of their own. Then one bulk
 * redrive of all N with no rate limit ({@code unthrottled}; on a service without that option, the API's
 * highest rate, {@value #MAX_RATE}/s) is timed from the request until the job reports every entry sent and
 * the original topic holds all N records: messages/s and time to drain. The raw limit, in the same run: Kafka's
 * {@code ProducerPerformance} with 1 KB records and the platform's producer settings, N/2 before and N/2
 * after (at smoke size only before). Then a second bulk redrive with a rate limit ({@value #LIMITED_RATE}/s) of a fixed count: the rate
 * achieved against the limit.
 */
final class DlqRedriveBenchmark implements Benchmark {

	static final String NAME = "dlq-redrive";

	/** The capture stores the backlog, the app takes the request, the worker runs the job. */
	static final String ROLES = "app,consumer-retry-message,wrk--default";

	/** The highest rate the bulk redrive API accepts ({@code ratePerSecond} at most 5000). */
	static final int MAX_RATE = 5000;

	static final int LIMITED_RATE = 500;

	private static final int PARTITIONS = RawKafkaBenchmark.PARTITIONS;

	private static final int PAYLOAD_BYTES = 1024;

	private static final long POLL_MILLIS = 200;

	private static final Duration TIMEOUT = Duration.ofMinutes(15);

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Result run(Infrastructure infrastructure, Options options) throws Exception {
		long entries = options.size(100_000, 300);
		long limited = options.smoke() ? 50 : 5_000;
		// a fifth of the run: 5% left the JIT compiling the redrive path through the measured job
		long warmup = Math.max(entries / 2, 100);
		String bootstrap = infrastructure.broker().bootstrapServers();
		String target = infrastructure.newTopic("bench.redrive-target", PARTITIONS);
		String warmupTarget = infrastructure.newTopic("bench.redrive-warmup", PARTITIONS);
		String limitedTarget = infrastructure.newTopic("bench.redrive-limited", PARTITIONS);
		LocalSigningKey key = Services.signingKey();
		Throughput produce = new Throughput();
		Map<String, Object> drain = new LinkedHashMap<>();
		Map<String, Object> checks = new LinkedHashMap<>();
		Bulk bulk;
		Bulk slow;
		double seedSeconds;
		CpuMeter.Usage cpu;
		Rate unlimited;
		try (Database db = infrastructure.freshDatabase("redrive");
				ConfigurableApplicationContext dlq = Services.dlq(ROLES, bootstrap, db, key);
				Admin admin = infrastructure.admin();
				KafkaProducer<byte[], byte[]> producer = DlqCaptureBenchmark.producer(bootstrap)) {
			String dlqTopic = dlq.getEnvironment().getRequiredProperty("dlq.topics.messages");
			String group = dlq.getEnvironment().getRequiredProperty("dlq.capture.consumer-group");
			Api api = new Api(Api.client(), Services.port(dlq), Services.token(key, "ops"));

			// the backlog, stored by the service's capture (not timed)
			long seeding = System.nanoTime();
			new FailedRecords(dlqTopic, warmupTarget).send(producer, 0, warmup);
			new FailedRecords(dlqTopic, target).send(producer, 0, entries);
			new FailedRecords(dlqTopic, limitedTarget).send(producer, 0, limited);
			DlqCaptureBenchmark.awaitCommitted(admin, dlqTopic, group);
			seedSeconds = (System.nanoTime() - seeding) / 1e9;
			expectEntries(db, target, entries);
			expectEntries(db, limitedTarget, limited);

			unlimited = unlimited(api);
			redrive(api, admin, warmupTarget, unlimited, warmup);
			ProducerFigures before = KafkaPerfTools.produce(bootstrap,
					infrastructure.newTopic("bench.redrive-raw", PARTITIONS), entries / 2, warmup, PAYLOAD_BYTES);
			produce.addRate(before.records(), before.recordsPerSecond());

			CpuMeter meter = CpuMeter.start(db);
			bulk = redrive(api, admin, target, unlimited, entries);
			cpu = meter.stop();

			if (!options.smoke()) {
				ProducerFigures after = KafkaPerfTools.produce(bootstrap,
						infrastructure.newTopic("bench.redrive-raw", PARTITIONS), entries - entries / 2, warmup,
						PAYLOAD_BYTES);
				produce.addRate(after.records(), after.recordsPerSecond());
			}

			slow = redrive(api, admin, limitedTarget, new Rate(LIMITED_RATE, "ratePerSecond " + LIMITED_RATE), limited);

			checks.put("entriesRetrying", db.count("SELECT count(*) FROM dead_letter_entry WHERE original_topic = '"
					+ target + "' AND status = 'RETRYING'"));
			checks.put("itemsSent", db.count("SELECT count(*) FROM bulk_redrive_item WHERE bulk_id = '" + bulk.id()
					+ "' AND state = 'SENT'"));
			checks.put("recordsOnTarget", Topics.records(admin, target));
			checks.put("limitedRecordsOnTarget", Topics.records(admin, limitedTarget));
		}
		double perSecond = entries / bulk.drainSeconds();
		double achieved = slow.jobPerSecond();
		drain.put("createSeconds", Result.round(bulk.createSeconds()));
		drain.put("jobSeconds", Result.round(bulk.jobSeconds()));
		drain.put("jobMessagesPerSecond", Result.round(bulk.jobPerSecond()));
		drain.putAll(cpu.perUnit(entries, "Message"));
		return Result.of(NAME)
			.parameter("entries", entries)
			.parameter("warmupEntries", warmup)
			.parameter("payloadBytes", PAYLOAD_BYTES)
			.parameter("roles", ROLES)
			.parameter("targetPartitions", PARTITIONS)
			.parameter("unlimited", unlimited.description())
			.parameter("limitedEntries", limited)
			.parameter("limitedRatePerSecond", LIMITED_RATE)
			.parameter("producer", KafkaPerfTools.platformProducerProperties())
			.figure("messagesPerSecond", perSecond)
			.figure("drainSeconds", bulk.drainSeconds())
			.figure("limitedAchievedPerSecond", achieved)
			.raw("produceRecordsPerSecond", produce.perSecond())
			.raw("rateLimitPerSecond", LIMITED_RATE)
			.ratio("toRawProduce", perSecond, produce.perSecond())
			.ratio("limitedToLimit", achieved, LIMITED_RATE)
			.diagnostic("unlimited", drain)
			.diagnostic("limited",
					Map.of("jobSeconds", Result.round(slow.jobSeconds()), "requestToDrainedSeconds",
							Result.round(slow.drainSeconds()), "entries", limited))
			.diagnostic("seedThroughCaptureSeconds", Result.round(seedSeconds))
			.diagnostic("checks", checks)
			.build(("%s: %s messages redriven, %d drained in %.1f s | raw produce %s (ratio %.3f); "
					+ "limited to %d/s: %.1f/s achieved (ratio %.3f)")
				.formatted(NAME, Result.rate(perSecond), entries, bulk.drainSeconds(), Result.rate(produce.perSecond()),
						Result.ratio(perSecond, produce.perSecond()), LIMITED_RATE, achieved,
						Result.ratio(achieved, LIMITED_RATE)));
	}

	private static void expectEntries(Database db, String originalTopic, long expected) throws Exception {
		long stored = db.count("SELECT count(*) FROM dead_letter_entry WHERE original_topic = '" + originalTopic + "'");
		if (stored != expected) {
			throw new IllegalStateException("The capture stored " + stored + " entries of " + originalTopic + ", expected "
					+ expected);
		}
	}

	/**
	 * Starts a bulk redrive of every entry of the original topic through the API and waits until the job
	 * reports it completed with every entry sent and the topic holds every record.
	 */
	static Bulk redrive(Api api, Admin admin, String originalTopic, Rate rate, long expected) throws Exception {
		Map<String, Object> request = new LinkedHashMap<>();
		request.put("filter", Map.of("topic", originalTopic));
		if (rate.perSecond() > 0) {
			request.put("ratePerSecond", rate.perSecond());
		}
		else {
			request.put("unthrottled", true);
		}
		request.put("reason", "bench " + NAME);
		long started = System.nanoTime();
		JsonNode created = api.json(api.post("/api/v1/dlq/redrives", request));
		long createdAt = System.nanoTime();
		if (created.path("total").asLong() != expected) {
			throw new IllegalStateException("The bulk redrive selected " + created.path("total").asLong()
					+ " entries, expected " + expected);
		}
		UUID id = UUID.fromString(created.path("id").asString());
		long deadline = started + TIMEOUT.toNanos();
		JsonNode progress = created;
		while (!"COMPLETED".equals(progress.path("status").asString())) {
			if (!"RUNNING".equals(progress.path("status").asString()) || System.nanoTime() > deadline) {
				throw new IllegalStateException("Bulk redrive " + id + " is " + progress.path("status").asString()
						+ " with " + progress.path("sent").asLong() + " of " + expected + " sent");
			}
			// as often as an operator's screen would, not so often that the polling itself loads the 2 cores
			// (every 50 ms cost about 4% of the CPU during the job: a signed token checked per request)
			TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
			progress = api.json(api.get("/api/v1/dlq/redrives/" + id));
		}
		if (progress.path("sent").asLong() != expected) {
			throw new IllegalStateException("Bulk redrive " + id + " completed with " + progress.path("sent").asLong()
					+ " sent, " + progress.path("failed").asLong() + " failed and " + progress.path("skipped").asLong()
					+ " skipped of " + expected);
		}
		long onTopic = Topics.awaitRecords(admin, originalTopic, expected, Duration.ofMinutes(1));
		long drained = System.nanoTime();
		if (onTopic != expected) {
			throw new IllegalStateException(originalTopic + " holds " + onTopic + " records, expected " + expected);
		}
		Instant jobStarted = Api.instant(progress.path("startedAt"));
		Instant jobFinished = Api.instant(progress.path("finishedAt"));
		double jobSeconds = (jobStarted != null && jobFinished != null)
				? Duration.between(jobStarted, jobFinished).toNanos() / 1e9 : (drained - createdAt) / 1e9;
		return new Bulk(id, expected, (createdAt - started) / 1e9, (drained - started) / 1e9, jobSeconds);
	}

	/**
	 * The fastest a bulk redrive may go: {@code unthrottled} where the service's API has it (its OpenAPI
	 * document names it), else the highest {@code ratePerSecond} it accepts.
	 */
	static Rate unlimited(Api api) {
		boolean unthrottled = api.json(api.get("/v3/api-docs")).toString().contains("\"unthrottled\"");
		return unthrottled ? new Rate(0, "unthrottled") : new Rate(MAX_RATE, "ratePerSecond " + MAX_RATE
				+ " (the API's highest; this service has no unthrottled option)");
	}

	/**
	 * A bulk redrive's rate.
	 *
	 * @param perSecond the limit, 0 for none
	 * @param description as asked of the API
	 */
	record Rate(int perSecond, String description) {
	}

	/**
	 * A completed bulk redrive.
	 *
	 * @param id the bulk redrive
	 * @param entries entries sent
	 * @param createSeconds the request that selected them and enqueued the job
	 * @param drainSeconds from the request until every entry was reported sent and was on the topic
	 * @param jobSeconds from the job's start to its completion, as the job recorded them
	 */
	record Bulk(UUID id, long entries, double createSeconds, double drainSeconds, double jobSeconds) {

		double jobPerSecond() {
			return this.entries / Math.max(this.jobSeconds, 1e-3);
		}

	}

}
