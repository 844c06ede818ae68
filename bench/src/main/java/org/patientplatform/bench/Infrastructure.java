package org.patientplatform.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.AppInfoParser;
import org.jspecify.annotations.Nullable;
import org.patientplatform.local.infra.KafkaBroker;
import org.patientplatform.local.infra.PostgresServer;

import org.springframework.util.FileSystemUtils;

/**
 * The project's own infrastructure for one bench run: an in-process KRaft broker (started on first use,
 * in a temporary folder) and the PostgreSQL server the platform would use ({@code PLATFORM_DB_URL}, the
 * machine's on 5432, or an embedded one). Every benchmark gets fresh databases and topics of its own.
 */
final class Infrastructure implements AutoCloseable {

	private @Nullable KafkaBroker broker;

	private @Nullable Path brokerDirectory;

	private @Nullable PostgresServer postgres;

	synchronized KafkaBroker broker() {
		if (this.broker == null) {
			try {
				this.brokerDirectory = Files.createTempDirectory("bench-kafka-");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.broker = KafkaBroker.start(this.brokerDirectory, 0, 3);
		}
		return this.broker;
	}

	synchronized PostgresServer postgres() {
		if (this.postgres == null) {
			Path state = Path.of(System.getProperty("java.io.tmpdir"), "patient-platform-bench-postgres");
			this.postgres = PostgresServer.locate(System.getenv(), state, 54332);
		}
		return this.postgres;
	}

	/** A new empty database, dropped when closed. */
	Database freshDatabase(String purpose) {
		String name = "bench_" + purpose + "_" + randomHex();
		PostgresServer server = postgres();
		String url = server.createDatabaseIfMissing(name);
		return new Database(name, url, server.user(), server.password(), () -> server.dropDatabase(name));
	}

	/**
	 * Creates a topic with a unique name; the name starts with {@code prefix}. Returns once the broker
	 * serves every partition: an idempotent producer whose first batches meet a partition the broker does
	 * not lead yet can see its retried first batch refused for good (out of order sequence).
	 */
	String newTopic(String prefix, int partitions) {
		String name = prefix + "." + randomHex();
		try (Admin admin = admin()) {
			admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
			awaitLeaders(admin, name);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot create topic " + name, ex);
		}
		return name;
	}

	/** Waits until the partitions' leader answers for each of them (a list-offsets request goes to it). */
	private static void awaitLeaders(Admin admin, String topic) throws Exception {
		long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
		while (true) {
			try {
				Topics.endOffsets(admin, topic);
				return;
			}
			catch (java.util.concurrent.ExecutionException ex) {
				if (!(ex.getCause() instanceof org.apache.kafka.common.errors.RetriableException)
						|| System.nanoTime() > deadline) {
					throw ex;
				}
				Thread.sleep(20);
			}
		}
	}

	Admin admin() {
		return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers()));
	}

	/** What the results must say about the infrastructure they were measured on. */
	Map<String, Object> describe() {
		Map<String, Object> description = new LinkedHashMap<>();
		description.put("kafka", AppInfoParser.getVersion() + " (in-process KRaft, 1 node)");
		PostgresServer server = postgres();
		try (Connection connection = DriverManager.getConnection(server.jdbcUrl("postgres"), server.user(),
				server.password()); Statement statement = connection.createStatement()) {
			description.put("postgres", single(statement, "SHOW server_version") + " (" + server.source().name().toLowerCase()
					+ ")");
			description.put("postgresSynchronousCommit", single(statement, "SHOW synchronous_commit"));
			description.put("postgresFsync", single(statement, "SHOW fsync"));
		}
		catch (SQLException ex) {
			description.put("postgres", server.source().name().toLowerCase() + " (version unknown: " + ex.getSQLState() + ")");
		}
		return description;
	}

	private static String single(Statement statement, String sql) throws SQLException {
		try (ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getString(1);
		}
	}

	static String randomHex() {
		byte[] bytes = new byte[5];
		ThreadLocalRandom.current().nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	@Override
	public synchronized void close() {
		if (this.broker != null) {
			this.broker.close();
			this.broker = null;
		}
		if (this.brokerDirectory != null) {
			try {
				FileSystemUtils.deleteRecursively(this.brokerDirectory);
			}
			catch (IOException ex) {
				System.err.println("Could not delete " + this.brokerDirectory + ": " + ex.getMessage());
			}
		}
		if (this.postgres != null) {
			this.postgres.close();
			this.postgres = null;
		}
	}

	/**
	 * A database of this run.
	 *
	 * @param name the database name
	 * @param url its JDBC URL
	 * @param user the user
	 * @param password the password
	 * @param drop drops it
	 */
	record Database(String name, String url, String user, String password, Runnable drop) implements AutoCloseable {

		Connection connect() throws SQLException {
			return DriverManager.getConnection(this.url, this.user, this.password);
		}

		void execute(String... statements) throws SQLException {
			try (Connection connection = connect(); Statement statement = connection.createStatement()) {
				for (String sql : statements) {
					statement.execute(sql);
				}
			}
		}

		long count(String sql) throws SQLException {
			try (Connection connection = connect(); Statement statement = connection.createStatement();
					ResultSet rs = statement.executeQuery(sql)) {
				rs.next();
				return rs.getLong(1);
			}
		}

		@Override
		public void close() {
			this.drop.run();
		}

	}

}
