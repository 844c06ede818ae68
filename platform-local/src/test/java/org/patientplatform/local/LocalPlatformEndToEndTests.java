package org.patientplatform.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.patientplatform.local.infra.PostgresServer;
import org.patientplatform.local.infra.testing.RealInfrastructureInitializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The platform as the README's first command runs it: {@link LocalPlatform}'s {@code main} in a JVM of
 * its own (every service and role, its own KRaft broker, its databases), driven only from outside, over
 * HTTP and with a plain Kafka client, as a new user would. It checks the platform's main flow (a result the
 * LIS releases reaches the patient by SMS and email, through the patient and notification services, without
 * its value) and the DLQ issue's "how it will be checked": a record that fails in another service's
 * consumer appears in the DLQ API with its coordinates and error; a failure that time can heal is retried on
 * the topic's policy and ends {@code RESOLVED} once it succeeds, one that never does ends
 * {@code PERMANENTLY_FAILED} with an ops alert; a bulk redrive of thousands of entries keeps its rate,
 * pauses, resumes and is cancelled, having sent each entry at most once. Last, SIGTERM and a start on the
 * same state folder keep the data and send nothing twice.
 * <p>
 * Every port is a free one and the databases carry a prefix of their own ({@code PLATFORM_*_PORT},
 * {@code PLATFORM_DB_PREFIX}), so a local run of the platform on the same machine is left alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalPlatformEndToEndTests {

	private static final Duration STARTUP = Duration.ofMinutes(5);

	private static final Duration FLOW = Duration.ofMinutes(3);

	private static final String BOOKING_TOPIC = "booking.events.v1";

	private static final String BULK_TOPIC = "e2e.bulk-redrive.v1";

	private static final int BULK_ENTRIES = 2_000;

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	private final Map<String, Integer> ports = new LinkedHashMap<>();

	private final Map<String, String> tokens = new HashMap<>();

	private final String prefix = "e2e_" + UUID.randomUUID().toString().substring(0, 8) + "_";

	private PostgresServer postgres;

	private Path state;

	private Path log;

	private Process platform;

	private KafkaProducer<String, String> producer;

	@BeforeAll
	void startThePlatform() throws Exception {
		for (String name : List.of("PLATFORM_KAFKA_PORT", "PLATFORM_TOKEN_PORT", "PLATFORM_SMS_PORT",
				"PLATFORM_PUSH_PORT", "PLATFORM_SMTP_PORT", "PLATFORM_DLQ_PORT", "PLATFORM_NOTIFICATION_PORT",
				"PLATFORM_BOOKING_PORT", "PLATFORM_PATIENT_PORT")) {
			this.ports.put(name, freePort());
		}
		this.postgres = RealInfrastructureInitializer.postgres();
		this.state = Files.createTempDirectory("platform-local-e2e-");
		start("platform-local-e2e.log");
		Properties producerConfig = new Properties();
		producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
		producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
		producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		this.producer = new KafkaProducer<>(producerConfig);
		// a policy an operator would set for a demonstration: four automatic redrives a second apart (the retry
		// cron runs every five seconds)
		JsonNode policy = call("PUT", "dlq", "/api/v1/dlq/retry-policies/" + BOOKING_TOPIC, "ops",
				Map.of("maxAttempts", 4, "initialDelaySeconds", 1, "multiplier", 1, "maxDelaySeconds", 1, "jitter", 0,
						"reason", "end-to-end test"),
				200);
		assertThat(policy.get("maxAttempts").asInt()).isEqualTo(4);
	}

	/** Starts LocalPlatform's main on this test's ports, state folder and databases; waits until it is ready. */
	private void start(String logFile) throws IOException {
		this.log = Path.of("target", logFile).toAbsolutePath();
		Files.createDirectories(this.log.getParent());
		String java = ProcessHandle.current().info().command().orElseThrow();
		ProcessBuilder builder = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), LocalPlatform.class.getName())
			.redirectErrorStream(true)
			.redirectOutput(this.log.toFile());
		Map<String, String> env = builder.environment();
		this.ports.forEach((name, port) -> env.put(name, port.toString()));
		env.put("PLATFORM_STATE_DIR", this.state.toString());
		env.put("PLATFORM_DB_PREFIX", this.prefix);
		env.put("PLATFORM_DB_URL", this.postgres.jdbcUrl("postgres"));
		env.put("PLATFORM_DB_USER", this.postgres.user());
		env.put("PLATFORM_DB_PASSWORD", this.postgres.password());
		env.remove("PLATFORM_ROLES");
		env.remove("DLQ_ALERTS_WEBHOOK_URL");
		this.platform = builder.start();
		await("the platform's ready banner").atMost(STARTUP).pollInterval(Duration.ofSeconds(1)).until(() -> {
			assertThat(this.platform.isAlive()).as("the platform exited early; its output:\n%s", tail()).isTrue();
			return Files.readString(this.log).contains("patient-platform is ready");
		});
	}

	/** SIGTERM, as Ctrl-C; true when it stopped in time. */
	private boolean stop() throws InterruptedException {
		this.platform.destroy();
		boolean exited = this.platform.waitFor(2, TimeUnit.MINUTES);
		if (!exited) {
			this.platform.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
		}
		return exited;
	}

	@AfterAll
	void stopThePlatform() throws Exception {
		try {
			if (this.producer != null) {
				this.producer.close();
			}
			if (this.platform != null && this.platform.isAlive()) {
				assertThat(stop()).as("the platform stops on SIGTERM; its output:\n%s", tail()).isTrue();
			}
		}
		finally {
			for (String database : List.of("dlq", "notification", "booking", "patient")) {
				this.postgres.dropDatabase(this.prefix + database);
			}
			FileSystemUtils.deleteRecursively(this.state);
		}
	}

	/**
	 * After the flows (so every consumer has fetched from its topics): every series that a service's alert rules
	 * and dashboard read ({@code deploy/monitoring}) is published by that service, with the labels the queries
	 * match on, group by and join on, and, for the platform's own meters, the exact values they match. A rule
	 * that reads a series nobody publishes never fires and says nothing. Labels the scrape adds ({@code namespace},
	 * {@code pod}…) and kube-state-metrics' series are not the services' to publish.
	 */
	@Test
	@Order(Integer.MAX_VALUE - 2)
	void everySeriesTheAlertRulesAndDashboardsReadIsPublishedWithItsLabels() throws Exception {
		// Micrometer looks for a Kafka client's new metrics (the per-partition ones appear at its first fetch from
		// a partition) once a minute
		List<String> missing = new ArrayList<>();
		await("every series the monitoring reads").atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofSeconds(5))
			.untilAsserted(() -> {
				missing.clear();
				assertThat(unpublishedSeries(missing)).as("selectors checked").isGreaterThan(40);
				assertThat(missing).as("what the alerts and dashboards read and the services do not publish").isEmpty();
			});
	}

	/** Adds to {@code missing} what a selector of the monitoring reads and its service does not publish. */
	private int unpublishedSeries(List<String> missing) throws Exception {
		Set<String> addedByTheScrape = Set.of("namespace", "pod", "container", "role", "job", "instance");
		Map<String, String> modules = Map.of("dlq-service", "PLATFORM_DLQ_PORT", "notification-service",
				"PLATFORM_NOTIFICATION_PORT", "booking-queue-service", "PLATFORM_BOOKING_PORT", "patient-service",
				"PLATFORM_PATIENT_PORT");
		int checked = 0;
		for (Map.Entry<String, String> module : modules.entrySet()) {
			HttpResponse<String> scrape = this.http.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.ports.get(module.getValue()) + "/actuator/prometheus"))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(scrape.statusCode()).isEqualTo(200);
			Map<String, List<Map<String, String>>> published = MonitoringQueries.series(scrape.body());
			for (MonitoringQueries.Selector selector : MonitoringQueries.of(DeployManifestsTests.DEPLOY, module.getKey())) {
				if (selector.metric().startsWith("kube_")) {
					continue;
				}
				checked++;
				String where = module.getKey() + ", " + selector.where() + ": " + selector.metric();
				List<Map<String, String>> series = published.getOrDefault(selector.metric(), List.of());
				if (series.isEmpty()) {
					missing.add(where + " is not published");
					continue;
				}
				Set<String> labels = new LinkedHashSet<>(selector.grouping());
				selector.matchers().forEach((matcher) -> labels.add(matcher.label()));
				labels.removeAll(addedByTheScrape);
				for (String label : labels) {
					if (series.stream().noneMatch((one) -> one.containsKey(label))) {
						missing.add(where + " has no label " + label);
					}
				}
				boolean own = !selector.metric().matches("(http|jvm|process|kafka)_.*");
				for (MonitoringQueries.LabelMatcher matcher : selector.matchers()) {
					if (own && "=".equals(matcher.operator()) && !addedByTheScrape.contains(matcher.label())
							&& series.stream().noneMatch((one) -> matcher.value().equals(one.get(matcher.label())))) {
						missing.add(where + " has no series with " + matcher.label() + "=\"" + matcher.value() + "\"");
					}
				}
			}
		}
		return checked;
	}

	/**
	 * After the flows (so consumers, web requests and jobs have logged): each structured log line names the
	 * service that wrote it, though one Logback configuration serves the four. A line of a service's own
	 * classes, or of a thread of its web server, names that service. The broker's lines, written before any
	 * service starts, are structured too and name it.
	 */
	@Test
	@Order(Integer.MAX_VALUE - 1)
	void eachLogLineNamesTheServiceThatWroteIt() throws Exception {
		Map<String, String> byPackage = Map.of("org.patientplatform.dlq.", "dlq-service",
				"org.patientplatform.notification.", "notification-service", "org.patientplatform.booking.",
				"booking-queue-service", "org.patientplatform.patient.", "patient-service");
		Map<String, String> byWebThread = Map.of("http-nio-" + this.ports.get("PLATFORM_DLQ_PORT") + "-", "dlq-service",
				"http-nio-" + this.ports.get("PLATFORM_NOTIFICATION_PORT") + "-", "notification-service",
				"http-nio-" + this.ports.get("PLATFORM_BOOKING_PORT") + "-", "booking-queue-service",
				"http-nio-" + this.ports.get("PLATFORM_PATIENT_PORT") + "-", "patient-service");
		Set<String> named = new HashSet<>();
		Set<String> checkedOffMain = new HashSet<>();
		List<String> brokerStarted = new ArrayList<>();
		for (String line : Files.readAllLines(this.log)) {
			if (line.contains("Kafka broker (KRaft) listening")) {
				brokerStarted.add(line);
			}
			if (!line.startsWith("{")) {
				continue;
			}
			JsonNode entry = this.json.readTree(line);
			String service = entry.path("service").path("name").asString();
			String logger = entry.path("log").path("logger").asString();
			String thread = entry.path("process").path("thread").path("name").asString();
			named.add(service);
			for (Map.Entry<String, String> own : byPackage.entrySet()) {
				if (logger.startsWith(own.getKey())) {
					assertThat(service).as("service of %s", line).isEqualTo(own.getValue());
					if (!thread.equals("main")) {
						checkedOffMain.add(service);
					}
				}
			}
			for (Map.Entry<String, String> web : byWebThread.entrySet()) {
				if (thread.startsWith(web.getKey())) {
					assertThat(service).as("service of %s", line).isEqualTo(web.getValue());
				}
			}
		}
		assertThat(named).contains("dlq-service", "notification-service", "booking-queue-service", "patient-service");
		assertThat(brokerStarted).singleElement()
			.satisfies((line) -> assertThat(this.json.readTree(line).path("service").path("name").asString())
				.isEqualTo("kafka"));
		// the flows above log from a consumer's thread: the booking service confirms a booking
		assertThat(checkedOffMain).contains("booking-queue-service");
	}

	/**
	 * Last: Ctrl-C and the README's first command again on the same state folder. The data stays, and
	 * nothing the first run consumed is consumed again: no notice is sent twice, no DLQ entry counts a
	 * failure twice.
	 */
	@Test
	@Order(Integer.MAX_VALUE)
	void keepsItsDataAcrossAStopAndAStartAndSendsNothingTwice() throws Exception {
		String suffix = UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);
		String phone = "+14155550133";
		String patientId = registerAndRelease(suffix, "^PRN^PH^^1^415^5550133", null);
		JsonNode notification = awaitSentNotification(patientId, Set.of("SMS"));
		RecordMetadata malformed = this.producer
			.send(new ProducerRecord<>(BOOKING_TOPIC, "site-e2e-restart", "not a CloudEvent either"))
			.get(30, TimeUnit.SECONDS);
		JsonNode entry = awaitEntry(malformed, (candidate) -> true);

		this.producer.flush();
		assertThat(stop()).as("the platform stops on SIGTERM; its output:\n%s", tail()).isTrue();
		// each service's shutdown is logged under its name (one thread stops them all)
		List<String> shutdowns = new ArrayList<>();
		for (String line : Files.readAllLines(this.log)) {
			if (line.startsWith("{") && line.contains("Commencing graceful shutdown")) {
				shutdowns.add(this.json.readTree(line).path("service").path("name").asString());
			}
		}
		assertThat(shutdowns).containsExactlyInAnyOrder("dlq-service", "notification-service", "booking-queue-service",
				"patient-service");
		start("platform-local-e2e-restart.log");
		assertThat(Files.readString(this.log)).doesNotContain("created afresh");

		JsonNode patient = call("GET", "patient", "/api/v1/patients?mrn=MRN-E2E-" + suffix, "staff", null, 200);
		assertThat(patient.get("id").asString()).isEqualTo(patientId);
		JsonNode again = awaitEntry(malformed, (candidate) -> true);
		assertThat(again.get("id").asString()).isEqualTo(entry.get("id").asString());
		// a consumer that read the failed record again would have counted a second failure
		assertThat(again.get("attempts").asInt()).isEqualTo(1);
		// the senders run again at once: a notice taken for unsent would go out within a few of their polls
		Thread.sleep(3_000);
		JsonNode items = call("GET", "notification", "/api/v1/patients/" + patientId + "/notifications", "staff", null,
				200)
			.get("items");
		assertThat(items).hasSize(1);
		assertThat(items.get(0).get("id").asString()).isEqualTo(notification.get("id").asString());
		List<JsonNode> sms = new ArrayList<>();
		items.get(0).get("deliveries").forEach((delivery) -> {
			if (delivery.get("channel").asString().equals("SMS")) {
				sms.add(delivery);
			}
		});
		assertThat(sms).singleElement().satisfies((delivery) -> {
			assertThat(delivery.get("attempts").asInt()).as("delivery %s", delivery).isEqualTo(1);
			assertThat(delivery.get("state").asString()).isIn("SENT", "DELIVERED");
		});
		// the SMS stand-in keeps its messages across the restart, as Twilio does: the one sent before, no second
		assertThat(listed("sms", phone, notification.get("id").asString())).hasSize(1);
	}

	@Test
	void runsTheFourServicesOnThePortsAndDatabasesItWasGiven() throws Exception {
		String banner = Files.readString(this.log);
		for (String service : List.of("DLQ", "NOTIFICATION", "BOOKING", "PATIENT")) {
			int port = this.ports.get("PLATFORM_" + service + "_PORT");
			assertThat(banner).contains("http://127.0.0.1:" + port + "/api/v1");
			HttpResponse<String> health = this.http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(health.statusCode()).as(service + " readiness: " + health.body()).isEqualTo(200);
			assertThat(this.json.readTree(health.body()).get("status").asString()).isEqualTo("UP");
		}
		assertThat(banner).contains(this.prefix + "dlq").doesNotContain("patient_platform_dlq");
	}

	@Test
	void aResultTheLisReleasesReachesThePatientBySmsAndEmailWithoutItsValue() throws Exception {
		String suffix = UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);
		String email = "ada-" + suffix.toLowerCase(Locale.ROOT) + "@example.org";
		String patientId = registerAndRelease(suffix, "^PRN^PH^^1^415^5550132", email);
		// the patient service announced it, the notification service sent one message per channel
		JsonNode notification = awaitSentNotification(patientId, Set.of("SMS", "EMAIL"));
		String notificationId = notification.get("id").asString();
		await("the messages at the providers' stand-ins").atMost(FLOW).untilAsserted(() -> {
			List<JsonNode> sms = listed("sms", "+14155550132", notificationId);
			List<JsonNode> mail = listed("email", email, notificationId);
			assertThat(sms).hasSize(1);
			assertThat(mail).hasSize(1);
			// a link to the portal, never the result
			assertThat(sms.get(0).path("body").asString() + mail.get(0).path("body").asString()).doesNotContain("7.91")
				.doesNotContain("mmol");
		});
		// the patient, signed in with the issuer's token for their own id, reads it; not another patient's list
		HttpResponse<String> own = exchange("GET", "notification", "/api/v1/notifications/" + notificationId,
				issueToken("role=patient&patient_id=" + patientId), null);
		assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
		// and their record, as a FHIR R4 Patient
		HttpResponse<String> fhir = exchange("GET", "patient", "/api/fhir/r4/Patient/" + patientId,
				issueToken("role=patient&patient_id=" + patientId), null);
		assertThat(fhir.statusCode()).as(fhir.body()).isEqualTo(200);
		assertThat(fhir.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/fhir+json"));
		JsonNode record = this.json.readTree(fhir.body());
		assertThat(record.path("resourceType").asString()).isEqualTo("Patient");
		assertThat(record.path("name").path(0).path("family").asString()).isEqualTo("Lovelace");
		HttpResponse<String> other = exchange("GET", "notification",
				"/api/v1/patients/" + patientId + "/notifications",
				issueToken("role=patient&patient_id=" + UUID.randomUUID()), null);
		assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
	}

	@Test
	void aDeviceThePatientsAppRegistersReceivesTheResultByPush() throws Exception {
		String suffix = UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);
		String email = "grace-" + suffix.toLowerCase(Locale.ROOT) + "@example.org";
		String patientId = register(suffix, "^PRN^PH^^1^415^5550132", email);
		String patientToken = issueToken("role=patient&patient_id=" + patientId);
		// the patient's app signs in on a device once the notification service knows the patient
		String device = "e2e-" + suffix + ":APA91b" + UUID.randomUUID().toString().replace("-", "_");
		String devicePath = "/api/v1/patients/" + patientId + "/push-devices/" + device;
		await("the device registered").atMost(FLOW)
			.pollInterval(Duration.ofMillis(500))
			.until(() -> exchange("PUT", "notification", devicePath, patientToken, null).statusCode(),
					(status) -> status == 200);

		release(suffix);
		JsonNode notification = awaitSentNotification(patientId, Set.of("PUSH", "SMS", "EMAIL"));
		await("the push at the FCM stand-in").atMost(FLOW).untilAsserted(() -> {
			List<JsonNode> pushed = new ArrayList<>();
			standin("/standin/messages?channel=push").forEach((message) -> {
				if (device.equals(message.path("to").asString())) {
					pushed.add(message);
				}
			});
			assertThat(pushed).singleElement()
				.satisfies((push) -> assertThat(push.path("body").asString()).doesNotContain("7.91").doesNotContain("mmol"));
		});
		assertThat(listed("sms", "+14155550132", notification.get("id").asString())).hasSize(1);
	}

	@Test
	void aBookingThePatientMakesAndCancelsIsConfirmedAndThenCancelledToThemByEmail() throws Exception {
		String suffix = UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);
		String email = "grace-" + suffix.toLowerCase(Locale.ROOT) + "@example.org";
		String patientId = register(suffix, "^PRN^PH^^1^415^5550134", email);
		String site = "site-e2e-" + suffix.toLowerCase(Locale.ROOT);
		JsonNode slots = call("POST", "booking", "/api/v1/sites/" + site + "/slots", "staff",
				Map.of("slots", List.of(Map.of("startsAt", Instant.now().plus(3, ChronoUnit.HOURS)
					.truncatedTo(ChronoUnit.MINUTES)
					.toString(), "capacity", 2))),
				201);
		String patientToken = issueToken("role=patient&patient_id=" + patientId);
		HttpResponse<String> booked = exchange("POST", "booking", "/api/v1/bookings", patientToken,
				Map.of("slotId", slots.get(0).get("id").asString(), "patientId", patientId));
		assertThat(booked.statusCode()).as(booked.body()).isEqualTo(201);
		String bookingId = this.json.readTree(booked.body()).get("id").asString();
		// booking's outbox -> notification.requests.v1 -> the notification service -> the mail stand-in
		awaitEmail(email, site + " on ", "is confirmed");
		HttpResponse<String> cancelled = exchange("DELETE", "booking", "/api/v1/bookings/" + bookingId, patientToken,
				null);
		assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
		awaitEmail(email, site + " on ", "has been cancelled");
		JsonNode items = call("GET", "notification", "/api/v1/patients/" + patientId + "/notifications", "staff", null,
				200)
			.get("items");
		List<String> types = new ArrayList<>();
		items.forEach((item) -> types.add(item.get("type").asString()));
		assertThat(types).containsExactlyInAnyOrder("booking-confirmed", "booking-cancelled");
	}

	private void awaitEmail(String to, String... fragments) {
		await("an email to the patient saying " + List.of(fragments)).atMost(FLOW)
			.pollInterval(Duration.ofSeconds(1))
			.untilAsserted(() -> {
				List<String> bodies = new ArrayList<>();
				standin("/standin/messages?channel=email").forEach((message) -> {
					if (to.equals(message.path("to").asString())) {
						bodies.add(message.path("body").asString(""));
					}
				});
				assertThat(bodies).anySatisfy((body) -> assertThat(body).contains(fragments));
			});
	}

	@Test
	void aRecordAnotherServicesConsumerCannotReadIsInTheDlqWithItsCoordinatesAndError() throws Exception {
		RecordMetadata sent = this.producer
			.send(new ProducerRecord<>(BOOKING_TOPIC, "site-e2e-malformed", "this is not a CloudEvent"))
			.get(30, TimeUnit.SECONDS);
		JsonNode entry = awaitEntry(sent, (candidate) -> true);
		assertThat(entry.get("status").asString()).isEqualTo("NEW");
		assertThat(entry.get("nonRetryable").asBoolean()).isTrue();
		assertThat(entry.get("sourceService").asString()).isEqualTo("booking-queue-service");
		assertThat(entry.get("consumerGroup").asString())
			.isEqualTo("booking-queue-service.spc-booking-topic--consumer");
		assertThat(entry.get("keyText").asString()).isEqualTo("site-e2e-malformed");
		assertThat(entry.get("errorClass").asString()).isNotBlank();
		assertThat(entry.get("errorMessage").asString()).isNotBlank();
	}

	@Test
	void aCheckInThatCameBeforeItsBookingIsRetriedOnThePolicyAndResolvedOnceTheBookingExists() throws Exception {
		String site = "site-e2e-" + UUID.randomUUID().toString().substring(0, 8);
		JsonNode slots = call("POST", "booking", "/api/v1/sites/" + site + "/slots", "staff",
				Map.of("slots", List.of(Map.of("startsAt", Instant.now().plus(2, ChronoUnit.HOURS)
					.truncatedTo(ChronoUnit.MINUTES)
					.toString(), "capacity", 5))),
				201);
		String slotId = slots.get(0).get("id").asString();
		UUID booking = UUID.randomUUID();

		RecordMetadata checkIn = send(site, "booking.BookingCheckedIn.v1",
				Map.of("bookingId", booking, "siteId", site, "checkedInAt", Instant.now().toString()));
		JsonNode failed = awaitEntry(checkIn, (entry) -> entry.get("attempts").asInt() >= 1);
		assertThat(failed.get("nonRetryable").asBoolean()).as("time can heal an unknown booking").isFalse();
		assertThat(failed.get("status").asString()).isIn("RETRY_SCHEDULED", "RETRYING", "RESOLVED");
		assertThat(failed.get("errorClass").asString() + " " + failed.get("errorMessage").asString())
			.contains(booking.toString());

		send(site, "booking.BookingRequested.v1", Map.of("bookingId", booking, "siteId", site, "slotId", slotId,
				"patientId", "P-E2E-1", "requestedAt", Instant.now().toString()));
		JsonNode resolved = awaitEntry(checkIn, (entry) -> entry.get("status").asString().equals("RESOLVED"));
		assertThat(resolved.get("retryCount").asInt()).isBetween(1, 4);
		// the redriven check-in was applied: the booking waits in its site's queue
		JsonNode position = call("GET", "booking", "/api/v1/bookings/" + booking + "/queue-position", "staff", null,
				200);
		assertThat(position.toString()).contains(booking.toString());
	}

	@Test
	void aCheckInWhoseBookingNeverComesEndsPermanentlyFailedWithAnOpsAlert() throws Exception {
		String site = "site-e2e-" + UUID.randomUUID().toString().substring(0, 8);
		UUID booking = UUID.randomUUID();
		RecordMetadata checkIn = send(site, "booking.BookingCheckedIn.v1",
				Map.of("bookingId", booking, "siteId", site, "checkedInAt", Instant.now().toString()));
		JsonNode failed = awaitEntry(checkIn,
				(entry) -> entry.get("status").asString().equals("PERMANENTLY_FAILED"));
		// the first failure and one for each of the policy's four automatic redrives
		assertThat(failed.get("attempts").asInt()).isEqualTo(5);
		assertThat(failed.get("retryCount").asInt()).isEqualTo(4);
		String entryId = failed.get("id").asString();
		// the alert reached the Slack-compatible webhook, and the on-call email (a notification request on
		// notification.requests.v1, sent by the notification service), each naming the entry
		for (String channel : List.of("webhook", "email")) {
			await("the ops alert by " + channel).atMost(FLOW).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
				List<String> bodies = new ArrayList<>();
				standin("/standin/messages?channel=" + channel)
					.forEach((message) -> bodies.add(message.path("body").asString("")));
				assertThat(bodies).anySatisfy((body) -> assertThat(body).contains(entryId).contains("permanently"));
			});
		}
		// the email links to the entry in this run's ops console, which is there
		String console = "http://127.0.0.1:" + this.ports.get("PLATFORM_DLQ_PORT") + "/console/";
		List<String> emails = new ArrayList<>();
		standin("/standin/messages?channel=email").forEach((message) -> emails.add(message.path("body").asString("")));
		assertThat(emails).anySatisfy((body) -> assertThat(body).contains(console + "#entry=" + entryId));
		HttpResponse<String> page = this.http.send(HttpRequest.newBuilder(URI.create(console)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("<title>DLQ console</title>");
	}

	@Test
	void aBulkRedriveOfThousandsKeepsItsRateCanBePausedResumedAndCancelledAndSendsEachEntryAtMostOnce()
			throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
			admin.createTopics(List.of(new NewTopic(BULK_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
		}
		// records another application's consumer failed on, dead-lettered as a Spring Kafka recoverer writes them
		for (int i = 0; i < BULK_ENTRIES; i++) {
			ProducerRecord<String, String> failed = new ProducerRecord<>("dlq.messages.v1", "order-" + i,
					"{\"order\":" + i + "}");
			header(failed, "kafka_dlt-original-topic", BULK_TOPIC);
			header(failed, "kafka_dlt-original-partition", "0");
			header(failed, "kafka_dlt-original-offset", Integer.toString(i));
			header(failed, "kafka_dlt-original-consumer-group", "e2e-orders");
			header(failed, "kafka_dlt-exception-fqcn", "java.lang.IllegalStateException");
			header(failed, "kafka_dlt-exception-message", "order service was down");
			header(failed, "dlq-non-retryable", "true");
			this.producer.send(failed);
		}
		this.producer.flush();
		Map<String, Object> selection = Map.of("topic", BULK_TOPIC);
		await("every failed record stored").atMost(FLOW).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
			JsonNode dryRun = call("POST", "dlq", "/api/v1/dlq/redrives", "ops",
					Map.of("filter", selection, "dryRun", true, "reason", "how many failed"), 200);
			assertThat(dryRun.get("count").asLong()).isEqualTo(BULK_ENTRIES);
		});

		int rate = 100;
		JsonNode job = call("POST", "dlq", "/api/v1/dlq/redrives", "ops",
				Map.of("filter", selection, "ratePerSecond", rate, "reason", "order service is back"), 202);
		String jobPath = "/api/v1/dlq/redrives/" + job.get("id").asString();
		JsonNode running = awaitJob(jobPath, (view) -> view.get("sent").asInt() >= 300);
		assertThat(running.get("total").asInt()).isEqualTo(BULK_ENTRIES);
		Instant started = Instant.parse(running.get("startedAt").asString());
		double seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
		// never faster than the limit (one second's burst allowed)
		assertThat(running.get("sent").asInt()).isLessThanOrEqualTo((int) Math.ceil(rate * (seconds + 1)));

		call("POST", "dlq", jobPath + "/pause", "ops", Map.of("reason", "e2e"), 200);
		awaitJob(jobPath, (view) -> view.get("status").asString().equals("PAUSED"));
		// the chunk being sent when it paused (a tenth of a second's worth at this rate) finishes and is recorded
		Thread.sleep(1000);
		int sentWhenPaused = call("GET", "dlq", jobPath, "ops", null, 200).get("sent").asInt();
		// then a paused job sends nothing: the count stays put over many of the job's chunks
		for (int i = 0; i < 4; i++) {
			Thread.sleep(500);
			assertThat(call("GET", "dlq", jobPath, "ops", null, 200).get("sent").asInt()).isEqualTo(sentWhenPaused);
		}
		call("POST", "dlq", jobPath + "/resume", "ops", Map.of("reason", "e2e"), 200);
		awaitJob(jobPath, (view) -> view.get("sent").asInt() >= sentWhenPaused + 100);
		call("POST", "dlq", jobPath + "/cancel", "ops", Map.of("reason", "e2e"), 200);
		awaitJob(jobPath, (view) -> view.get("status").asString().equals("CANCELLED"));
		Thread.sleep(1000); // the chunk in progress, as for the pause
		int sent = call("GET", "dlq", jobPath, "ops", null, 200).get("sent").asInt();
		assertThat(sent).isGreaterThan(sentWhenPaused).isLessThan(BULK_ENTRIES);

		// the original topic holds exactly the records the job reports sent, each entry once
		Set<String> entryIds = new HashSet<>();
		List<String> duplicates = new ArrayList<>();
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ConsumerConfig.ISOLATION_LEVEL_CONFIG,
				"read_committed", ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
			TopicPartition partition = new TopicPartition(BULK_TOPIC, 0);
			consumer.assign(List.of(partition));
			consumer.seekToBeginning(List.of(partition));
			await("the redriven records").atMost(FLOW).untilAsserted(() -> {
				for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
					Header id = record.headers().lastHeader("dlq-entry-id");
					assertThat(id).as("a redriven record names its entry").isNotNull();
					if (!entryIds.add(new String(id.value(), StandardCharsets.UTF_8))) {
						duplicates.add(new String(id.value(), StandardCharsets.UTF_8));
					}
				}
				assertThat(entryIds).hasSize(sent);
			});
			assertThat(consumer.poll(Duration.ofSeconds(2))).as("nothing beyond what the job reports").isEmpty();
		}
		assertThat(duplicates).isEmpty();
		assertThat(call("GET", "dlq", jobPath, "ops", null, 200).get("sent").asInt()).isEqualTo(sent);
	}

	/**
	 * The LIS registers a patient (HL7 v2 ADT^A04, ER7 text, keyed by the MRN {@code MRN-E2E-<suffix>}) with
	 * this phone (PID-13) and email, then releases a glucose result of 7.91 mmol/L (ORU^R01); returns the
	 * patient's id.
	 */
	private String registerAndRelease(String suffix, String phone, String email) throws Exception {
		String patientId = register(suffix, phone, email);
		release(suffix);
		return patientId;
	}

	/** The LIS registers the patient of MRN {@code MRN-E2E-<suffix>} (ADT^A04); returns the patient's id. */
	private String register(String suffix, String phone, String email) throws Exception {
		String mrn = "MRN-E2E-" + suffix;
		String sentAt = DateTimeFormatter.ofPattern("yyyyMMddHHmmssZ").format(OffsetDateTime.now(ZoneOffset.UTC));
		String contact = (email != null) ? phone + "~^NET^Internet^" + email : phone;
		String registration = String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|" + sentAt + "||ADT^A04^ADT_A01|A04-" + suffix + "|P|2.5",
				"EVN|A04|" + sentAt,
				"PID|1||" + mrn + "^^^CITYLAB^MR||Lovelace^Ada||19801210|F|||||" + contact + "||en",
				"PV1|1|O|LAB^^^CITYLAB", "");
		this.producer.send(new ProducerRecord<>("lis.inbound.v1", mrn, registration)).get(30, TimeUnit.SECONDS);
		JsonNode patient = await("the patient registered").atMost(FLOW)
			.pollInterval(Duration.ofMillis(500))
			.until(() -> callOrNull("GET", "patient", "/api/v1/patients?mrn=" + mrn, "staff"), (found) -> found != null);
		return patient.get("id").asString();
	}

	/** The LIS releases a glucose result of 7.91 mmol/L (ORU^R01) for the patient of {@link #register}. */
	private void release(String suffix) throws Exception {
		String mrn = "MRN-E2E-" + suffix;
		String sentAt = DateTimeFormatter.ofPattern("yyyyMMddHHmmssZ").format(OffsetDateTime.now(ZoneOffset.UTC));
		String[] obr = new String[26];
		Arrays.fill(obr, "");
		obr[0] = "OBR";
		obr[1] = "1";
		obr[2] = "ORD-" + suffix;
		obr[4] = "2345-7^Glucose^LN";
		obr[7] = sentAt;
		obr[22] = sentAt;
		obr[25] = "F";
		String result = String.join("\r",
				"MSH|^~\\&|LABSYS|CITYLAB|PATPLAT|CITYLAB|" + sentAt + "||ORU^R01^ORU_R01|ORU-" + suffix + "|P|2.5",
				"PID|1||" + mrn + "^^^CITYLAB^MR||Lovelace^Ada", String.join("|", obr),
				"OBX|1|NM|2345-7^Glucose^LN||7.91|mmol/L|||||F", "");
		this.producer.send(new ProducerRecord<>("lis.inbound.v1", mrn, result)).get(30, TimeUnit.SECONDS);
	}

	/** The patient's one notification, once it went out on these channels. */
	private JsonNode awaitSentNotification(String patientId, Set<String> channels) {
		return await("the result-ready notification, sent").atMost(FLOW)
			.pollInterval(Duration.ofMillis(500))
			.until(() -> {
				JsonNode items = call("GET", "notification", "/api/v1/patients/" + patientId + "/notifications", "staff",
						null, 200)
					.get("items");
				return (items.size() == 1) ? items.get(0) : null;
			}, (found) -> found != null && sentOn(found).containsAll(channels));
	}

	private static Set<String> sentOn(JsonNode notification) {
		Set<String> sent = new HashSet<>();
		notification.get("deliveries").forEach((delivery) -> {
			if (Set.of("SENT", "DELIVERED").contains(delivery.get("state").asString())) {
				sent.add(delivery.get("channel").asString());
			}
		});
		return sent;
	}

	/** The stand-ins' messages on a channel to one address that name a notification (its portal link). */
	private List<JsonNode> listed(String channel, String to, String notificationId) throws Exception {
		List<JsonNode> found = new ArrayList<>();
		standin("/standin/messages?channel=" + channel).forEach((message) -> {
			if (to.equals(message.path("to").asString()) && message.path("body").asString("").contains(notificationId)) {
				found.add(message);
			}
		});
		return found;
	}

	/** The answer's body, or null when it is 404. */
	private JsonNode callOrNull(String method, String service, String path, String role)
			throws IOException, InterruptedException {
		HttpResponse<String> response = exchange(method, service, path, token(role), null);
		if (response.statusCode() == 404) {
			return null;
		}
		assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private RecordMetadata send(String site, String type, Map<String, Object> data) throws Exception {
		ProducerRecord<String, String> record = new ProducerRecord<>(BOOKING_TOPIC, site,
				this.json.writeValueAsString(data));
		header(record, "ce_specversion", "1.0");
		header(record, "ce_id", UUID.randomUUID().toString());
		header(record, "ce_source", "urn:patient-platform:e2e-test");
		header(record, "ce_type", type);
		header(record, "ce_subject", site);
		header(record, "ce_time", Instant.now().toString());
		header(record, "content-type", "application/json");
		return this.producer.send(record).get(30, TimeUnit.SECONDS);
	}

	private static void header(ProducerRecord<String, String> record, String name, String value) {
		record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
	}

	/** The DLQ entry of the original record at these coordinates, once it matches. */
	private JsonNode awaitEntry(RecordMetadata original, Predicate<JsonNode> matches) {
		JsonNode[] found = new JsonNode[1];
		await("the DLQ entry of " + original).atMost(FLOW).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			JsonNode page = call("GET", "dlq", "/api/v1/dlq/messages?topic=" + original.topic() + "&limit=200", "ops",
					null, 200);
			JsonNode entry = null;
			for (JsonNode item : page.get("items")) {
				if (item.get("originalPartition").asInt() == original.partition()
						&& item.get("originalOffset").asLong() == original.offset()) {
					entry = item;
				}
			}
			assertThat(entry).as("an entry for %s", original).isNotNull();
			assertThat(matches.test(entry)).as("entry %s", entry).isTrue();
			found[0] = entry;
		});
		return found[0];
	}

	private JsonNode awaitJob(String path, Predicate<JsonNode> matches) {
		JsonNode[] found = new JsonNode[1];
		await("bulk redrive " + path).atMost(FLOW).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			JsonNode view = call("GET", "dlq", path, "ops", null, 200);
			assertThat(matches.test(view)).as("job %s", view).isTrue();
			found[0] = view;
		});
		return found[0];
	}

	/** A call with a token of this role that must answer this status; its JSON body. */
	private JsonNode call(String method, String service, String path, String role, Object body, int status)
			throws IOException, InterruptedException {
		HttpResponse<String> response = exchange(method, service, path, token(role), body);
		assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(status);
		return this.json.readTree(response.body());
	}

	/** One request to a service (by its port variable's name, {@code dlq}, …), with a JSON body when given. */
	private HttpResponse<String> exchange(String method, String service, String path, String token, Object body)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.ports.get("PLATFORM_" + service.toUpperCase() + "_PORT")
					+ path))
			.header("Authorization", "Bearer " + token);
		if (body != null) {
			request.header("Content-Type", "application/json")
				.method(method, HttpRequest.BodyPublishers.ofString(this.json.writeValueAsString(body)));
		}
		else {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A token of this role from the platform's local issuer, fetched once. */
	private String token(String role) throws IOException, InterruptedException {
		String token = this.tokens.get(role);
		if (token == null) {
			token = issueToken("role=" + role);
			this.tokens.put(role, token);
		}
		return token;
	}

	/** A token from the local issuer for these query parameters ({@code role=…&patient_id=…}). */
	private String issueToken(String query) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.ports.get("PLATFORM_TOKEN_PORT") + "/token?" + query))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body().strip();
	}

	private JsonNode standin(String path) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.ports.get("PLATFORM_SMS_PORT") + path))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private String bootstrap() {
		return "127.0.0.1:" + this.ports.get("PLATFORM_KAFKA_PORT");
	}

	private String tail() {
		try {
			List<String> lines = Files.readAllLines(this.log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
		}
		catch (IOException ex) {
			return "(no output: " + ex.getMessage() + ")";
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
