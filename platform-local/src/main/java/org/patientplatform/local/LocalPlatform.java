package org.patientplatform.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import org.patientplatform.booking.BookingQueueApplication;
import org.patientplatform.dlq.DlqApplication;
import org.patientplatform.kit.logging.ServiceThreads;
import org.patientplatform.local.infra.KafkaBroker;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.local.infra.PostgresServer;
import org.patientplatform.notification.NotificationApplication;
import org.patientplatform.patient.PatientApplication;
import org.patientplatform.standins.ProviderStandins;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Runs the whole platform on this machine: a KRaft broker on 9092, PostgreSQL (configured, the
 * machine's, or embedded), a local token issuer, the notification providers' stand-ins (SMS on
 * 31880, push on 31881, SMTP on 3025, module {@code provider-standins}), and the four services with every role on the seeds'
 * NodePorts. All state lives under one folder ({@code PLATFORM_STATE_DIR}, default
 * {@code .platform-state}), so a second run keeps the first one's data. SIGTERM (Ctrl-C) stops the
 * services first, draining their work, then the broker and the database. Every port moves with an
 * environment variable ({@code PLATFORM_*_PORT}) and the databases' names with {@code PLATFORM_DB_PREFIX}, so
 * a second platform (the end-to-end test's) can run beside this one.
 */
public final class LocalPlatform {

	/**
	 * One service of the platform.
	 * @param portVariable the environment variable that moves it from its seed's NodePort
	 * @param database its database's name after the prefix ({@code PLATFORM_DB_PREFIX})
	 */
	record Service(String name, Class<?> application, int defaultPort, String portVariable, String database) {

		int port(Map<String, String> env) {
			return Integer.parseInt(env.getOrDefault(this.portVariable, Integer.toString(this.defaultPort)));
		}

		String database(Map<String, String> env) {
			return env.getOrDefault("PLATFORM_DB_PREFIX", "patient_platform_") + this.database;
		}

	}

	static final List<Service> SERVICES = List.of(
			new Service("dlq-service", DlqApplication.class, 31871, "PLATFORM_DLQ_PORT", "dlq"),
			new Service("notification-service", NotificationApplication.class, 30181, "PLATFORM_NOTIFICATION_PORT",
					"notification"),
			new Service("booking-queue-service", BookingQueueApplication.class, 31798, "PLATFORM_BOOKING_PORT",
					"booking"),
			new Service("patient-service", PatientApplication.class, 31418, "PLATFORM_PATIENT_PORT", "patient"));

	private LocalPlatform() {
	}

	public static void main(String[] args) throws Exception {
		structuredLogging();
		Map<String, String> env = System.getenv();
		Path state = Path.of(env.getOrDefault("PLATFORM_STATE_DIR", ".platform-state")).toAbsolutePath();
		// a folder without a Kafka log yet is new: no database can hold its data
		boolean newState = !Files.isDirectory(state.resolve("kafka"));
		Files.createDirectories(state);
		int kafkaPort = Integer.parseInt(env.getOrDefault("PLATFORM_KAFKA_PORT", "9092"));
		int issuerPort = Integer.parseInt(env.getOrDefault("PLATFORM_TOKEN_PORT", "31870"));
		ProviderStandins.Config standinsConfig = ProviderStandins.Config.defaults()
			.withPorts(Integer.parseInt(env.getOrDefault("PLATFORM_SMS_PORT", "31880")),
					Integer.parseInt(env.getOrDefault("PLATFORM_PUSH_PORT", "31881")),
					Integer.parseInt(env.getOrDefault("PLATFORM_SMTP_PORT", "3025")))
			// Twilio keeps its messages: the notification service's lookup after a hard kill finds the SMS it sent
			.withSmsJournal(state.resolve("standins").resolve("sms-messages.jsonl"));

		// each log line names the service whose thread wrote it (Logback is configured once, by the first service)
		ServiceThreads.set("platform-local");
		PostgresServer postgres = PostgresServer.locate(env, state, 54329);
		ServiceThreads.set("kafka");
		KafkaBroker broker = KafkaBroker.start(state.resolve("kafka"), kafkaPort, 3);
		ServiceThreads.set("platform-local");
		String issuerUrl = "http://127.0.0.1:" + issuerPort;
		LocalSigningKey signingKey = LocalSigningKey.loadOrCreate(state.resolve("security"), issuerUrl);
		LocalTokenIssuer issuer = LocalTokenIssuer.start(signingKey, issuerPort);
		String dlqKey = loadOrCreateDataKey(state.resolve("security").resolve("dlq-payload-key"));
		// the databases belong with this folder's Kafka log and keys (see start)
		String stateId = loadOrCreateStateId(state.resolve("instance-id"));
		ProviderStandins standins = ProviderStandins.start(standinsConfig);
		// the DLQ's ops alerts also go to the Slack-compatible webhook stand-in, listed with the messages
		Map<String, Map<String, Object>> serviceProperties = Map.of("notification-service",
				notificationChannels(standins, standinsConfig, env), "dlq-service",
				Map.of("dlq.alerts.webhook-url", env.getOrDefault("DLQ_ALERTS_WEBHOOK_URL", standins.slackWebhookUrl()),
						// an alert's email links to the ops console of this run
						"dlq.alerts.console-url", env.getOrDefault("DLQ_ALERTS_CONSOLE_URL",
								"http://127.0.0.1:" + SERVICES.get(0).port(env) + "/console/")));

		List<ConfigurableApplicationContext> contexts = new ArrayList<>();
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			for (int i = contexts.size() - 1; i >= 0; i--) {
				// contexts are started in the order of SERVICES; a stopping service's lines name it
				ServiceThreads.set(SERVICES.get(i).name());
				contexts.get(i).close();
			}
			ServiceThreads.set("platform-local");
			issuer.close();
			standins.close();
			ServiceThreads.set("kafka");
			broker.close();
			ServiceThreads.set("platform-local");
			postgres.close();
			stopped.countDown();
		}, "platform-local-stop"));

		try {
			for (Service service : SERVICES) {
				// the threads this service's startup creates inherit its name
				ServiceThreads.set(service.name());
				contexts.add(start(service, env, args, postgres, stateId, newState, broker, issuer, issuerUrl, dlqKey,
						serviceProperties.getOrDefault(service.name(), Map.of())));
			}
		}
		catch (RuntimeException ex) {
			System.err.println("\npatient-platform could not start: " + ex.getMessage()
					+ "\nThe logs above say which service failed and why. Stopping everything.");
			System.exit(1); // the shutdown hook stops what did start
		}
		ServiceThreads.set("platform-local");
		printReady(env, state, postgres, broker, issuer, standins);
		stopped.await();
	}

	private static ConfigurableApplicationContext start(Service service, Map<String, String> env, String[] args,
			PostgresServer postgres,
			String stateId, boolean newState, KafkaBroker broker, LocalTokenIssuer issuer, String issuerUrl,
			String dlqKey, Map<String, Object> own) {
		// these win over each service's own configuration file
		Map<String, Object> local = new LinkedHashMap<>();
		local.put("server.port", service.port(env));
		// loopback only, as Kafka, the token issuer and the stand-ins are: a local run serves this machine, not its
		// network (the services listened on every interface)
		local.put("server.address", "127.0.0.1");
		// every role of every service, whatever PLATFORM_ROLES the shell has
		local.put("platform.roles", "");
		// a database another state folder left holds entries keyed by that folder's Kafka offsets (a new record at
		// the same offset would be taken for an old one) and payloads under its keys: it is made afresh
		String name = service.database(env);
		PostgresServer.OwnedDatabase database = postgres.createDatabaseOwnedBy(name, stateId, !newState);
		if (database.replaced()) {
			System.out.println("Database " + name + " belonged to another local run's state folder; "
					+ "it was created afresh for this one");
		}
		local.put("spring.datasource.url", database.jdbcUrl());
		local.put("spring.datasource.username", postgres.user());
		local.put("spring.datasource.password", postgres.password());
		local.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
		local.put("platform.security.jwt.jwk-set-uri", issuer.jwksUrl());
		local.put("platform.security.jwt.issuer", issuerUrl);
		local.put("dlq.encryption.active-key-id", "local");
		local.put("dlq.encryption.keys.local", dlqKey);
		local.putAll(own);
		// logging is set up before initializers run, so its levels go in as defaults
		Map<String, Object> defaults = Map.of("logging.level.org.apache.kafka", "WARN", "logging.level.kafka", "WARN",
				"logging.level.state.change.logger", "WARN", "logging.level.com.icegreen", "WARN");
		// one shutdown hook for the whole process stops the services before the broker and the database
		return new SpringApplicationBuilder(service.application()).properties(defaults)
			.registerShutdownHook(false)
			.initializers((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("platform-local", local)))
			.run(args);
	}

	/**
	 * The notification service's providers are the stand-ins; the SMS stand-in posts inbound
	 * messages to the service's webhook.
	 */
	private static Map<String, Object> notificationChannels(ProviderStandins standins,
			ProviderStandins.Config config, Map<String, String> env) {
		String notification = SERVICES.stream()
			.filter((service) -> service.name().equals("notification-service"))
			.map((service) -> "http://127.0.0.1:" + service.port(env))
			.findFirst()
			.orElseThrow();
		standins.sms().inboundUrl(notification + "/api/v1/notifications/webhooks/twilio/inbound");
		Map<String, Object> channels = new LinkedHashMap<>();
		channels.put("notification.channels.email.host", standins.mail().host());
		channels.put("notification.channels.email.port", standins.mail().port());
		channels.put("notification.channels.sms.base-url", standins.smsBaseUrl());
		channels.put("notification.channels.sms.account-sid", config.accountSid());
		channels.put("notification.channels.sms.auth-token", config.authToken());
		channels.put("notification.channels.sms.from", config.smsNumber());
		channels.put("notification.channels.sms.status-callback-base-url", notification);
		channels.put("notification.channels.push.base-url", standins.pushBaseUrl());
		channels.put("notification.channels.push.project-id", config.pushProjectId());
		channels.put("notification.channels.push.token-uri", standins.tokenUri());
		channels.put("notification.channels.push.client-email", config.serviceAccountEmail());
		channels.put("notification.channels.push.private-key", standins.serviceAccountPrivateKeyPem());
		return channels;
	}

	private static void printReady(Map<String, String> env, Path state, PostgresServer postgres, KafkaBroker broker,
			LocalTokenIssuer issuer, ProviderStandins standins) {
		StringBuilder out = new StringBuilder();
		out.append("\n================ patient-platform is ready ================\n");
		out.append("Kafka (KRaft):  ").append(broker.bootstrapServers()).append('\n');
		out.append("PostgreSQL:     ").append(postgres.describe()).append('\n');
		out.append("State folder:   ").append(state).append('\n');
		for (Service service : SERVICES) {
			String base = "http://127.0.0.1:" + service.port(env);
			out.append('\n').append(service.name()).append('\n');
			out.append("  API base:    ").append(base).append("/api/v1\n");
			out.append("  Swagger UI:  ").append(base).append("/swagger-ui.html\n");
			if (service == SERVICES.get(0)) {
				out.append("  Ops console: ").append(base).append("/console/  (paste an ops token)\n");
			}
			out.append("  Health:      ").append(base).append("/actuator/health\n");
			out.append("  Metrics:     ").append(base).append("/actuator/prometheus\n");
		}
		out.append("\nTokens (roles: patient, staff, ops, service):\n");
		out.append("  curl -s '").append(issuer.baseUrl()).append("/token?role=ops'\n");
		out.append("  curl -s '").append(issuer.baseUrl()).append("/token?role=patient&patient_id=<uuid>'\n");
		out.append("  then: curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:")
			.append(SERVICES.get(0).port(env))
			.append("/api/v1/dlq/messages/<id>\n");
		out.append("JWKS:           ").append(issuer.jwksUrl()).append('\n');
		out.append("\nProvider stand-ins (every SMS, push and email the platform sends):\n");
		out.append("  Messages sent:  ").append(standins.listingUrl()).append("  (JSON: ")
			.append(standins.smsBaseUrl()).append("/standin/messages)\n");
		out.append("  SMS (Twilio):   ").append(standins.smsBaseUrl()).append('\n');
		out.append("  Push (FCM v1):  ").append(standins.pushBaseUrl()).append('\n');
		out.append("  Slack webhook:  ").append(standins.slackWebhookUrl())
			.append("  (the DLQ's ops alerts, listed with the messages)\n");
		out.append("  SMTP:           ").append(standins.mail().host()).append(':').append(standins.mail().port())
			.append(" (GreenMail)\n");
		out.append("  Phone replies:  curl -d From=%2B14155550132 -d Body=STOP ").append(standins.smsBaseUrl())
			.append("/standin/sms/inbound\n");
		out.append("  Faults:         curl -H 'Content-Type: application/json' -d '{\"target\":\"sms\",\"kind\":\"throttle\",\"count\":3}' ")
			.append(standins.smsBaseUrl()).append("/standin/faults\n");
		out.append("Stop with Ctrl-C (SIGTERM).\n");
		out.append("===========================================================\n");
		System.out.println(out);
	}

	/** This state folder's id, which the databases it uses carry in their comment. */
	private static String loadOrCreateStateId(Path file) throws IOException {
		if (!Files.exists(file)) {
			Files.writeString(file, UUID.randomUUID().toString());
		}
		return Files.readString(file).trim();
	}

	private static String loadOrCreateDataKey(Path file) throws IOException {
		if (!Files.exists(file)) {
			byte[] key = new byte[32];
			new SecureRandom().nextBytes(key);
			Files.createDirectories(file.getParent());
			Files.writeString(file, Base64.getEncoder().encodeToString(key));
		}
		return Files.readString(file).trim();
	}

	/**
	 * Configures logging as each service's own start would (Boot's ECS JSON lines), before the broker and the
	 * database start: otherwise their first lines came out in Logback's plain default format. The services find it
	 * configured and keep it (Boot configures Logback once per process); each applies its own levels.
	 */
	private static void structuredLogging() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("platform-local-logging", Map.of("logging.structured.format.console", "ecs",
					"spring.application.name", "platform-local", "spring.application.pid", ProcessHandle.current().pid())));
		LoggingSystem logging = LoggingSystem.get(LocalPlatform.class.getClassLoader());
		logging.beforeInitialize();
		logging.initialize(new LoggingInitializationContext(environment), null, null);
		logging.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, LogLevel.INFO);
		for (String name : List.of("org.apache.kafka", "kafka", "state.change.logger", "io.zonky", "com.icegreen")) {
			logging.setLogLevel(name, LogLevel.WARN);
		}
	}

}
