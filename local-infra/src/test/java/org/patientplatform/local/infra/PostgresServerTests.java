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

}
