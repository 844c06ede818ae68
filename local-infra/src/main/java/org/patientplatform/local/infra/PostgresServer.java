package org.patientplatform.local.infra;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server the platform can create its databases on. {@link #locate} picks, in this order:
 * the server named by {@code PLATFORM_DB_URL}; the machine's PostgreSQL on 127.0.0.1:5432; an embedded
 * PostgreSQL (zonky binaries from Maven Central) whose data lives under the state folder.
 */
public final class PostgresServer implements AutoCloseable {

	/** How a database says which local run owns it (its comment). */
	static final String OWNER_COMMENT = "patient-platform local run, state ";

	private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);

	private static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

	/** Where the server came from; printed at start so nobody has to guess. */
	public enum Source {

		CONFIGURED, MACHINE, EMBEDDED

	}

	private final String baseUrl;

	private final String adminDatabase;

	private final String user;

	private final String password;

	private final Source source;

	private final @Nullable EmbeddedPostgres embedded;

	private PostgresServer(String baseUrl, String adminDatabase, String user, String password, Source source,
			@Nullable EmbeddedPostgres embedded) {
		this.baseUrl = baseUrl;
		this.adminDatabase = adminDatabase;
		this.user = user;
		this.password = password;
		this.source = source;
		this.embedded = embedded;
	}

	/**
	 * Finds or starts a PostgreSQL server.
	 * @param env the environment ({@code PLATFORM_DB_URL}, {@code PLATFORM_DB_USER},
	 * {@code PLATFORM_DB_PASSWORD})
	 * @param stateDirectory where an embedded server keeps its binaries and data
	 * @param embeddedPort the port for an embedded server
	 * @return a reachable server
	 * @throws IllegalStateException with what to do, when no server can be reached or started
	 */
	public static PostgresServer locate(Map<String, String> env, Path stateDirectory, int embeddedPort) {
		String configured = env.get("PLATFORM_DB_URL");
		String user = env.getOrDefault("PLATFORM_DB_USER", "postgres");
		String password = env.getOrDefault("PLATFORM_DB_PASSWORD", "");
		if (configured != null && !configured.isBlank()) {
			return fromJdbcUrl(configured, user, password, Source.CONFIGURED);
		}
		if (reachable("127.0.0.1", 5432)) {
			PostgresServer machine = fromJdbcUrl("jdbc:postgresql://127.0.0.1:5432/postgres", user, password,
					Source.MACHINE);
			if (machine.canConnect()) {
				return machine;
			}
			log.warn("PostgreSQL answers on 127.0.0.1:5432 but refuses user '{}' without a password; "
					+ "starting an embedded PostgreSQL instead", user);
		}
		return startEmbedded(stateDirectory.resolve("postgres"), embeddedPort);
	}

	/**
	 * A server given by a JDBC URL; its path names the database used to create the others.
	 */
	public static PostgresServer fromJdbcUrl(String jdbcUrl, String user, String password, Source source) {
		if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
			throw new IllegalStateException("PLATFORM_DB_URL must be a PostgreSQL JDBC URL such as "
					+ "jdbc:postgresql://db.example:5432/postgres, not: " + jdbcUrl);
		}
		URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
		int port = (uri.getPort() > 0) ? uri.getPort() : 5432;
		String path = Objects.requireNonNullElse(uri.getPath(), "");
		String admin = path.length() > 1 ? path.substring(1) : "postgres";
		String query = (uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : "";
		return new PostgresServer("jdbc:postgresql://" + uri.getHost() + ":" + port + "/%s" + query, admin, user,
				password, source, null);
	}

	static PostgresServer startEmbedded(Path directory, int port) {
		try {
			Path data = directory.resolve("data");
			Path binaries = directory.resolve("binaries");
			Files.createDirectories(binaries);
			EmbeddedPostgres postgres = EmbeddedPostgres.builder()
				.setDataDirectory(data)
				.setCleanDataDirectory(false)
				.setOverrideWorkingDirectory(binaries.toFile())
				.setPort(port)
				.start();
			log.info("Embedded PostgreSQL started on 127.0.0.1:{}, data in {}", port, data);
			return new PostgresServer("jdbc:postgresql://127.0.0.1:" + port + "/%s", "postgres", "postgres", "",
					Source.EMBEDDED, postgres);
		}
		catch (IOException | RuntimeException ex) {
			throw new IllegalStateException("""
					No PostgreSQL could be reached or started. Either
					  - set PLATFORM_DB_URL (and PLATFORM_DB_USER / PLATFORM_DB_PASSWORD) to a PostgreSQL server, or
					  - start PostgreSQL on 127.0.0.1:5432 with user 'postgres', or
					  - allow the embedded PostgreSQL to run (it needs 'unshare -U' when run as root, and free port %d).
					Cause: %s""".formatted(port, ex.getMessage()), ex);
		}
	}

	static boolean reachable(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private boolean canConnect() {
		try (Connection ignored = connect(this.adminDatabase)) {
			return true;
		}
		catch (SQLException ex) {
			return false;
		}
	}

	/**
	 * Creates the database if it does not exist yet.
	 * @param name a lower-case SQL identifier
	 * @return the JDBC URL of the database
	 */
	public String createDatabaseIfMissing(String name) {
		if (!DATABASE_NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("Not a database name this platform creates: " + name);
		}
		try (Connection admin = connect(this.adminDatabase);
				PreparedStatement exists = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
			exists.setString(1, name);
			try (ResultSet rs = exists.executeQuery()) {
				if (!rs.next()) {
					try (Statement create = admin.createStatement()) {
						create.execute("CREATE DATABASE " + name);
					}
					catch (SQLException ex) {
						// another process created it between the check and the create
						if (!"42P04".equals(ex.getSQLState())) {
							throw ex;
						}
					}
				}
			}
			return jdbcUrl(name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot create database " + name + " on " + describe() + ": " + ex.getMessage(),
					ex);
		}
	}

	/**
	 * Creates the database if it does not exist yet, for one owner (a local run's state folder), and says
	 * so in the database's comment. A database another owner left (its data matches another folder's Kafka
	 * log: the same topic, partition and offset would name different records) is dropped and created
	 * afresh; one that is still in use is refused. A database without an owner (made before owners were
	 * recorded) is adopted when {@code adoptUnowned}, else made afresh too.
	 * @param name a lower-case SQL identifier
	 * @param owner what owns it, e.g. the state folder's id
	 * @param adoptUnowned whether a database without an owner may be this owner's (false for a new owner)
	 * @return the JDBC URL of the database, and whether an earlier owner's database was replaced
	 */
	public OwnedDatabase createDatabaseOwnedBy(String name, String owner, boolean adoptUnowned) {
		if (!DATABASE_NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("Not a database name this platform creates: " + name);
		}
		String comment = OWNER_COMMENT + owner;
		try (Connection admin = connect(this.adminDatabase);
				PreparedStatement current = admin.prepareStatement(
						"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?")) {
			current.setString(1, name);
			String previous;
			try (ResultSet rs = current.executeQuery()) {
				previous = rs.next() ? Objects.requireNonNullElse(rs.getString(1), "") : null;
			}
			boolean replaced = previous != null && !previous.equals(comment)
					&& (previous.startsWith(OWNER_COMMENT) || !adoptUnowned);
			if (replaced) {
				try (Statement drop = admin.createStatement()) {
					drop.execute("DROP DATABASE " + name);
				}
				catch (SQLException ex) {
					throw new IllegalStateException("Database " + name + " on " + describe() + " belongs to another "
							+ "local run and could not be replaced (is that run still up?): " + ex.getMessage(), ex);
				}
			}
			createDatabaseIfMissing(name);
			try (Statement mark = admin.createStatement()) {
				mark.execute("COMMENT ON DATABASE " + name + " IS '" + comment.replace("'", "''") + "'");
			}
			catch (SQLException ex) {
				// a database this user may use but not own: used as it is, its owner not recorded
				log.warn("Could not record the owner of database {}: {}", name, ex.getMessage());
			}
			return new OwnedDatabase(jdbcUrl(name), replaced);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot create database " + name + " on " + describe() + ": " + ex.getMessage(),
					ex);
		}
	}

	/**
	 * @param jdbcUrl where it is
	 * @param replaced whether a database of another owner was dropped to make it
	 */
	public record OwnedDatabase(String jdbcUrl, boolean replaced) {
	}

	/** Drops the database, ending its sessions first; used by tests for their own databases. */
	public void dropDatabase(String name) {
		if (!DATABASE_NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("Not a database name this platform drops: " + name);
		}
		try (Connection admin = connect(this.adminDatabase); Statement drop = admin.createStatement()) {
			drop.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
		}
		catch (SQLException ex) {
			log.warn("Could not drop database {}: {}", name, ex.getMessage());
		}
	}

	/**
	 * Makes a database refuse every new connection and ends its open sessions, or accept connections again: an
	 * outage of that database alone, for tests of what a service does without it.
	 */
	public void acceptConnections(String name, boolean accepting) throws SQLException {
		if (!DATABASE_NAME.matcher(name).matches()) {
			throw new IllegalArgumentException("Not a database name this platform changes: " + name);
		}
		try (Connection admin = connect(this.adminDatabase); Statement statement = admin.createStatement()) {
			statement.execute("ALTER DATABASE \"" + name + "\" ALLOW_CONNECTIONS " + accepting);
			if (!accepting) {
				statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name
						+ "' AND pid <> pg_backend_pid()");
			}
		}
	}

	private Connection connect(String database) throws SQLException {
		return DriverManager.getConnection(jdbcUrl(database), this.user, this.password);
	}

	public String jdbcUrl(String database) {
		return this.baseUrl.formatted(database);
	}

	public String user() {
		return this.user;
	}

	public String password() {
		return this.password;
	}

	public Source source() {
		return this.source;
	}

	public String describe() {
		return this.source.name().toLowerCase() + " PostgreSQL at " + jdbcUrl(this.adminDatabase);
	}

	/** Stops the embedded server if this object started one; a server found running is left alone. */
	@Override
	public void close() {
		if (this.embedded != null) {
			try {
				this.embedded.close();
			}
			catch (IOException ex) {
				log.warn("Embedded PostgreSQL did not stop cleanly: {}", ex.getMessage());
			}
		}
	}

}
