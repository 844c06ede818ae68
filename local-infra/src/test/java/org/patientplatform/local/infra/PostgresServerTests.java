package org.patientplatform.local.infra;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class PostgresServerTests {

	@TempDir
	Path state;

	@Test
	void startsAnEmbeddedServerThatKeepsItsDataAcrossRestarts() throws Exception {
		int port = KafkaBroker.freePort();
		try (PostgresServer first = PostgresServer.startEmbedded(this.state, port)) {
			assertThat(first.source()).isEqualTo(PostgresServer.Source.EMBEDDED);
			String url = first.createDatabaseIfMissing("patient_platform_kept");
			try (Connection connection = DriverManager.getConnection(url, first.user(), first.password())) {
				connection.createStatement().execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('first run')");
			}
		}
		try (PostgresServer second = PostgresServer.startEmbedded(this.state, port)) {
			String url = second.createDatabaseIfMissing("patient_platform_kept");
			try (Connection connection = DriverManager.getConnection(url, second.user(), second.password());
					ResultSet rs = connection.createStatement().executeQuery("SELECT v FROM kept")) {
				assertThat(rs.next()).isTrue();
				assertThat(rs.getString(1)).isEqualTo("first run");
			}
		}
	}

	@Test
	void usesTheConfiguredServerFirst() {
		PostgresServer server = PostgresServer.locate(
				Map.of("PLATFORM_DB_URL", "jdbc:postgresql://db.example:6543/admin?sslmode=require",
						"PLATFORM_DB_USER", "platform", "PLATFORM_DB_PASSWORD", "secret"),
				this.state, 0);
		assertThat(server.source()).isEqualTo(PostgresServer.Source.CONFIGURED);
		assertThat(server.jdbcUrl("patient_platform_dlq"))
			.isEqualTo("jdbc:postgresql://db.example:6543/patient_platform_dlq?sslmode=require");
		assertThat(server.user()).isEqualTo("platform");
	}

	@Test
	void refusesAUrlThatIsNotPostgresql() {
		assertThatIllegalStateException()
			.isThrownBy(() -> PostgresServer.locate(Map.of("PLATFORM_DB_URL", "jdbc:h2:mem:test"), this.state, 0))
			.withMessageContaining("PLATFORM_DB_URL must be a PostgreSQL JDBC URL");
	}

	@Test
	void refusesDatabaseNamesItDoesNotCreate() {
		PostgresServer server = PostgresServer.fromJdbcUrl("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "",
				PostgresServer.Source.MACHINE);
		assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> server.createDatabaseIfMissing("x; DROP")))
			.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void keepsAStateFoldersDatabaseAndMakesAfreshOneAnotherFolderLeft() throws Exception {
		try (PostgresServer server = PostgresServer.locate(Map.of(), this.state, KafkaBroker.freePort())) {
			String name = "patient_platform_owned_" + Long.toHexString(System.nanoTime());
			try {
				// a database from before owners were recorded: an existing folder adopts it
				server.createDatabaseIfMissing(name);
				execute(server, server.jdbcUrl(name), "CREATE TABLE kept (n int)");
				PostgresServer.OwnedDatabase first = server.createDatabaseOwnedBy(name, "state-a", true);
				assertThat(first.replaced()).isFalse();
				assertThat(tables(server, first.jdbcUrl())).contains("kept");

				// the same folder again: its data stays
				assertThat(server.createDatabaseOwnedBy(name, "state-a", true).replaced()).isFalse();
				assertThat(tables(server, first.jdbcUrl())).contains("kept");

				// another folder: its Kafka offsets would name other records, so the database is made afresh
				PostgresServer.OwnedDatabase other = server.createDatabaseOwnedBy(name, "state-b", true);
				assertThat(other.replaced()).isTrue();
				assertThat(tables(server, other.jdbcUrl())).doesNotContain("kept");

				// an unowned database and a new folder: made afresh as well
				server.dropDatabase(name);
				server.createDatabaseIfMissing(name);
				execute(server, server.jdbcUrl(name), "CREATE TABLE kept (n int)");
				assertThat(server.createDatabaseOwnedBy(name, "state-c", false).replaced()).isTrue();
				assertThat(tables(server, server.jdbcUrl(name))).doesNotContain("kept");
			}
			finally {
				server.dropDatabase(name);
			}
		}
	}

	private static void execute(PostgresServer server, String url, String sql) throws Exception {
		try (Connection connection = DriverManager.getConnection(url, server.user(), server.password())) {
			connection.createStatement().execute(sql);
		}
	}

	private static java.util.List<String> tables(PostgresServer server, String url) throws Exception {
		java.util.List<String> names = new java.util.ArrayList<>();
		try (Connection connection = DriverManager.getConnection(url, server.user(), server.password());
				ResultSet rs = connection.createStatement()
					.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
			while (rs.next()) {
				names.add(rs.getString(1));
			}
		}
		return names;
	}

}
