package org.patientplatform.local.infra.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.patientplatform.local.infra.KafkaBroker;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.local.infra.PostgresServer;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * Starts a KRaft broker and creates an empty database for one application context, and removes both
 * when the context closes (after every other bean, so consumers stop before their broker does). The
 * PostgreSQL server is shared by the JVM: {@code PLATFORM_DB_URL}, else 127.0.0.1:5432, else an embedded one of this
 * JVM's own (its own folder and free port, removed when the JVM ends).
 * The context gets a {@link LocalSigningKey} bean to mint tokens with.
 */
public class RealInfrastructureInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	private static final Object lock = new Object();

	private static volatile PostgresServer postgres;

	/** The JVM-wide PostgreSQL server the test databases live on. */
	public static PostgresServer postgres() {
		synchronized (lock) {
			if (postgres == null) {
				// a folder and a port of this JVM's own: the build runs modules' tests side by side (-T in
				// .mvn/maven.config), and each test JVM without a PostgreSQL to use starts an embedded one
				Path state = Path.of(System.getProperty("java.io.tmpdir"),
						"patient-platform-test-postgres-" + ProcessHandle.current().pid());
				PostgresServer server = PostgresServer.locate(System.getenv(), state, freePort());
				Runtime.getRuntime().addShutdownHook(new Thread(() -> {
					server.close();
					FileSystemUtils.deleteRecursively(state.toFile());
				}, "test-postgres-stop"));
				postgres = server;
			}
			return postgres;
		}
	}

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		PostgresServer server = postgres();
		String database = "test_" + HexFormat.of().formatHex(randomBytes());
		String url = server.createDatabaseIfMissing(database);
		Path kafkaDirectory = tempDirectory();
		KafkaBroker broker = KafkaBroker.start(kafkaDirectory, 0, 3);
		LocalSigningKey signingKey = LocalSigningKey.generate("https://tests.patient-platform.local");
		context.getEnvironment()
			.getPropertySources()
			.addFirst(new MapPropertySource("realInfrastructure",
					Map.of("spring.datasource.url", url, "spring.datasource.username", server.user(),
							"spring.datasource.password", server.password(), "spring.kafka.bootstrap-servers",
							broker.bootstrapServers(), "platform.security.jwt.public-key", signingKey.publicKeyPem(),
							"platform.security.jwt.issuer", signingKey.issuer(), "platform.test.database", database)));
		DefaultListableBeanFactory beans = (DefaultListableBeanFactory) context.getBeanFactory();
		beans.registerSingleton("testSigningKey", signingKey);
		beans.registerSingleton("testKafkaBroker", broker);
		// registered before every other bean, so destroyed after all of them
		beans.registerDisposableBean("realInfrastructureShutdown", () -> {
			broker.close();
			FileSystemUtils.deleteRecursively(kafkaDirectory);
			server.dropDatabase(database);
		});
	}

	private static int freePort() {
		try {
			return KafkaBroker.freePort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static byte[] randomBytes() {
		byte[] bytes = new byte[6];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

	private static Path tempDirectory() {
		try {
			return Files.createTempDirectory("kafka-test-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
