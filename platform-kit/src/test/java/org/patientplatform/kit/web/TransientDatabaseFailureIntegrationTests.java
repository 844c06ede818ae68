package org.patientplatform.kit.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.local.infra.PostgresServer;
import org.patientplatform.local.infra.testing.RealInfrastructureInitializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A deadlock, a serialization failure or a lock timeout on the real database, provoked by a connection of the
 * test's own holding rows a request of the test service needs, and a database the service cannot get a
 * connection to (its pool used up, or the database refusing connections): each is a 503 problem with
 * {@code Retry-After} that says the request can be retried and nothing of the SQL, logged as a warning and
 * counted, never the 500 "unexpected error" it was.
 */
@KitIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = { "platform.roles=app", "spring.datasource.hikari.maximum-pool-size=4",
		"spring.datasource.hikari.connection-timeout=1000" })
class TransientDatabaseFailureIntegrationTests {

	@Autowired
	LocalSigningKey signingKey;

	@Autowired
	JsonMapper json;

	@Autowired
	DataSource dataSource;

	@Autowired
	MeterRegistry meters;

	@Value("${platform.test.database}")
	String database;

	@LocalServerPort
	int port;

	final HttpClient http = HttpClient.newHttpClient();

	/** The test's own connection, holding rows the request wants. */
	Connection holder;

	@BeforeEach
	void connect() throws SQLException {
		PostgresServer server = RealInfrastructureInitializer.postgres();
		this.holder = DriverManager.getConnection(server.jdbcUrl(this.database), server.user(), server.password());
		this.holder.setAutoCommit(false);
	}

	@AfterEach
	void disconnect() {
		try (Connection connection = this.holder) {
			connection.rollback();
		}
		catch (SQLException ex) {
			// ended with the database's other sessions (the outage test)
		}
	}

	@Test
	void aDeadlockIsA503ProblemSayingTheRequestCanBeRetried(CapturedOutput output) throws Exception {
		double before = counted("deadlock");
		hold(2);
		// the request locks row 1, then waits for row 2, which the test holds
		CompletableFuture<HttpResponse<String>> request = bump("ids=1,2", null);
		awaitRequestWaitingForALock();
		// the test now waits for row 1: a cycle, which the request's backend (waiting longer) detects first
		hold(1);
		HttpResponse<String> response = request.get(30, TimeUnit.SECONDS);

		assertTransientProblem(response, "conflict");
		assertThat(counted("deadlock")).isEqualTo(before + 1);
		assertThat(output.getAll()).contains("40P01").doesNotContain("Unexpected error answering a request");
	}

	@Test
	void aSerializationFailureIsA503ProblemSayingTheRequestCanBeRetried() throws Exception {
		double before = counted("serialization");
		hold(1);
		// the request's repeatable-read snapshot predates the test's update, which commits while the request waits
		CompletableFuture<HttpResponse<String>> request = bump("ids=1", null);
		awaitRequestWaitingForALock();
		this.holder.commit();
		HttpResponse<String> response = request.get(30, TimeUnit.SECONDS);

		assertTransientProblem(response, "conflict");
		assertThat(counted("serialization")).isEqualTo(before + 1);
	}

	@Test
	void aLockTimeoutIsA503ProblemSayingTheRequestCanBeRetried() throws Exception {
		double before = counted("lock-timeout");
		hold(3);
		HttpResponse<String> response = bump("ids=3&lockTimeout=PT0.3S", null).get(30, TimeUnit.SECONDS);

		assertTransientProblem(response, "conflict");
		assertThat(counted("lock-timeout")).isEqualTo(before + 1);
	}

	@Test
	void aRequestRefusedForADeadlockRunsAgainWhenRetriedWithItsIdempotencyKey() throws Exception {
		String key = UUID.randomUUID().toString();
		hold(2);
		CompletableFuture<HttpResponse<String>> request = bump("ids=1,2", key);
		awaitRequestWaitingForALock();
		hold(1);
		assertThat(request.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
		this.holder.rollback();

		// the 503 was not kept for the key: the retry runs, and is answered
		HttpResponse<String> retry = bump("ids=1,2", key).get(30, TimeUnit.SECONDS);
		assertThat(retry.statusCode()).isEqualTo(200);
		assertThat(retry.body()).isEqualTo("bumped");
		assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
	}

	@Test
	void aKeyedRequestCutOffFromTheDatabaseIsA503AndRunsWhenRetriedOnceTheDatabaseIsBack() throws Exception {
		String key = UUID.randomUUID().toString();
		long before = tally(1);
		hold(1);
		CompletableFuture<HttpResponse<String>> request = bump("ids=1", key);
		awaitRequestWaitingForALock();
		HttpResponse<String> response;
		try {
			// ends the request's session (and the test's): its key cannot be released now either
			databaseAccepting(false);
			response = request.get(30, TimeUnit.SECONDS);
		}
		finally {
			databaseAccepting(true);
		}
		// the request's own answer, not a 500 for the release that failed
		assertTransientProblem(response, "unavailable");
		assertThat(tally(1)).isEqualTo(before);

		// the key is released once the database is back, and the retry runs (409 with Retry-After until then)
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			HttpResponse<String> retry = bump("ids=1", key).get(30, TimeUnit.SECONDS);
			if (retry.statusCode() == 409) {
				assertThat(retry.headers().firstValue("Retry-After")).hasValue("1");
			}
			assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
			assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
		});
		assertThat(tally(1)).isEqualTo(before + 1);
	}

	@Test
	void aKeyedRequestWhoseAnswerCannotBeKeptIsAnsweredAndReplayedOnceTheDatabaseIsBack() throws Exception {
		String key = UUID.randomUUID().toString();
		long before = tally(3);
		HttpResponse<String> response;
		try {
			response = bump("ids=3&thenLoseTheDatabase=true", key).get(30, TimeUnit.SECONDS);
		}
		finally {
			databaseAccepting(true);
		}
		// the work is done and committed: its answer, not a 500 for the answer that could not be kept
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("bumped");
		assertThat(tally(3)).isEqualTo(before + 1);

		// kept once the database is back: a retry replays it and never bumps again
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			HttpResponse<String> retry = bump("ids=3&thenLoseTheDatabase=true", key).get(30, TimeUnit.SECONDS);
			assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
			assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
			assertThat(retry.body()).isEqualTo("bumped");
		});
		assertThat(tally(3)).isEqualTo(before + 1);
	}

	@Test
	void noConnectionFromThePoolInTimeIsA503ProblemSayingTheRequestCanBeRetried(CapturedOutput output)
			throws Exception {
		double before = counted("no-connection");
		List<Connection> taken = new ArrayList<>();
		try {
			for (int i = 0; i < 4; i++) {
				taken.add(this.dataSource.getConnection());
			}
			HttpResponse<String> response = due().get(30, TimeUnit.SECONDS);

			assertTransientProblem(response, "unavailable");
		}
		finally {
			for (Connection connection : taken) {
				connection.close();
			}
		}
		assertThat(counted("no-connection")).isEqualTo(before + 1);
		assertThat(output.getAll()).doesNotContain("Unexpected error answering a request");
	}

	@Test
	void aDatabaseThatRefusesConnectionsIsA503ProblemEvenForARequestWithAnIdempotencyKey() throws Exception {
		databaseAccepting(false);
		try {
			// the first request meets a pooled connection the database ended (57P01), the next ones get none
			HttpResponse<String> read = due().get(30, TimeUnit.SECONDS);
			assertTransientProblem(read, "unavailable");

			// the Idempotency-Key filter needs the database before the controller runs
			HttpResponse<String> keyed = bump("ids=1", UUID.randomUUID().toString()).get(30, TimeUnit.SECONDS);
			assertTransientProblem(keyed, "unavailable");
		}
		finally {
			databaseAccepting(true);
		}
		// and once it is back, the service answers again
		await().atMost(Duration.ofSeconds(30))
			.until(() -> bump("ids=1", null).get(30, TimeUnit.SECONDS).statusCode() == 200);
	}

	@Test
	void anUnexpectedErrorIsStillA500() throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/things/boom"))
			.header("Authorization", "Bearer " + staff())
			.GET()
			.build()).get(30, TimeUnit.SECONDS);
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.headers().firstValue("Retry-After")).isEmpty();
	}

	private void assertTransientProblem(HttpResponse<String> response, String kind) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
		assertThat(response.headers().firstValue("Content-Type")).hasValue(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(
				(seconds) -> assertThat(Integer.parseInt(seconds)).isBetween(1, 10));
		JsonNode problem = this.json.readTree(response.body());
		assertThat(problem.path("status").asInt()).isEqualTo(503);
		assertThat(problem.path("title").asString()).isEqualTo("Service Unavailable");
		String detail = problem.path("detail").asString();
		assertThat(detail).contains("retr");
		if (kind.equals("conflict")) {
			assertThat(detail).contains("conflict");
		}
		else {
			assertThat(detail).contains("database").contains("unavailable");
		}
		assertThat(response.body()).doesNotContainIgnoringCase("sql")
			.doesNotContain("test_tally")
			.doesNotContain("Exception")
			.doesNotContain("deadlock detected")
			.doesNotContain("40P01")
			.doesNotContain("Hikari");
	}

	/** Locks a tally row on the test's own connection (its transaction stays open). */
	private void hold(int id) throws SQLException {
		try (Statement statement = this.holder.createStatement()) {
			statement.executeUpdate("UPDATE test_tally SET n = n + 1 WHERE id = " + id);
		}
	}

	/** Until a backend of the test database (the request's) waits for a lock. */
	private void awaitRequestWaitingForALock() {
		PostgresServer server = RealInfrastructureInitializer.postgres();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
			try (Connection watcher = DriverManager.getConnection(server.jdbcUrl("postgres"), server.user(),
					server.password()); Statement statement = watcher.createStatement();
					var rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '"
							+ this.database + "' AND wait_event_type = 'Lock'")) {
				rows.next();
				return rows.getInt(1) > 0;
			}
		});
	}

	/** A tally's count, read on a connection of its own. */
	private long tally(int id) throws SQLException {
		PostgresServer server = RealInfrastructureInitializer.postgres();
		try (Connection reader = DriverManager.getConnection(server.jdbcUrl(this.database), server.user(),
				server.password()); Statement statement = reader.createStatement();
				var rows = statement.executeQuery("SELECT n FROM test_tally WHERE id = " + id)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	/** Makes the test database refuse (or accept again) every connection, ending the open sessions. */
	private void databaseAccepting(boolean accepting) throws SQLException {
		RealInfrastructureInitializer.postgres().acceptConnections(this.database, accepting);
	}

	private double counted(String cause) {
		var counter = this.meters.find("platform.http.transient.failures").tag("cause", cause).counter();
		return (counter != null) ? counter.count() : 0;
	}

	/** A read that needs the database. */
	private CompletableFuture<HttpResponse<String>> due() {
		return send(HttpRequest.newBuilder(uri("/api/v1/things/due?at=2030-01-01T00:00:00Z"))
			.header("Authorization", "Bearer " + staff())
			.GET()
			.build());
	}

	private CompletableFuture<HttpResponse<String>> bump(String query, String idempotencyKey) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri("/api/v1/things/tallies?" + query))
			.header("Authorization", "Bearer " + staff())
			.POST(HttpRequest.BodyPublishers.noBody());
		if (idempotencyKey != null) {
			request.header(IdempotencyKeyFilter.HEADER, idempotencyKey);
		}
		return send(request.build());
	}

	private CompletableFuture<HttpResponse<String>> send(HttpRequest request) {
		return this.http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String pathAndQuery) {
		return URI.create("http://127.0.0.1:" + this.port + pathAndQuery);
	}

	private String staff() {
		return this.signingKey.mint("staff-1", List.of("staff"), null, Duration.ofMinutes(5));
	}

}
