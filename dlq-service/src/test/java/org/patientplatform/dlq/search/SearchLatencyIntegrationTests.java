package org.patientplatform.dlq.search;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.patientplatform.dlq.DlqApplication;
import org.patientplatform.kit.web.Page;
import org.patientplatform.local.infra.KafkaBroker;
import org.patientplatform.local.infra.LocalSigningKey;
import org.patientplatform.local.infra.PostgresServer;
import org.patientplatform.local.infra.testing.RealInfrastructureInitializer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A measurement, not a check, and off unless asked for: HTTP latency of typical operator searches
 * against a large database, through the whole service (Tomcat, security, JSON), one client at a time.
 * Starts the service (role {@code app} only) on the database named by {@code dlq.search-latency.database}
 * (created and migrated if missing; when it holds no entries, {@code bin/dlq-seed} loads
 * {@code dlq.search-latency.seed} of them, default 1,000,000), then runs each search for
 * {@code dlq.search-latency.seconds} (default 8) after a warm-up of all of them and prints p50 and p99 per
 * search, also
 * to {@code target/search-latency.md}. It asserts only that every answer is 200. See docs/benchmarks.md.
 *
 * <pre>./mvnw -q -B -ntp verify -pl dlq-service -Dtest=SearchLatencyIntegrationTests \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Ddlq.search-latency.database=dlq_search_1m</pre>
 */
@EnabledIfSystemProperty(named = "dlq.search-latency.database", matches = ".+")
class SearchLatencyIntegrationTests {

	@TempDir
	static Path kafkaData;

	static KafkaBroker broker;

	static ConfigurableApplicationContext service;

	static LocalSigningKey signingKey;

	@BeforeAll
	static void startTheServiceOnTheLargeDatabase() throws Exception {
		String database = System.getProperty("dlq.search-latency.database");
		PostgresServer postgres = RealInfrastructureInitializer.postgres();
		String url = postgres.createDatabaseIfMissing(database);
		broker = KafkaBroker.start(kafkaData, 0, 3);
		signingKey = LocalSigningKey.generate("https://search-latency.patient-platform.local");
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("platform.roles", "app");
		properties.put("server.port", 0);
		properties.put("spring.datasource.url", url);
		properties.put("spring.datasource.username", postgres.user());
		properties.put("spring.datasource.password", postgres.password());
		properties.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
		properties.put("platform.security.jwt.public-key", signingKey.publicKeyPem());
		properties.put("platform.security.jwt.issuer", signingKey.issuer());
		properties.put("dlq.encryption.active-key-id", "measure");
		properties.put("dlq.encryption.keys.measure", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
		properties.put("logging.level.root", "WARN");
		service = new SpringApplicationBuilder(DlqApplication.class).registerShutdownHook(false)
			.initializers((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("searchLatency", properties)))
			.run();
		JdbcTemplate jdbc = service.getBean(JdbcTemplate.class);
		long entries = count(jdbc);
		long seed = Long.getLong("dlq.search-latency.seed", 1_000_000L);
		if (entries == 0 && seed > 0) {
			seed(url, postgres, database, seed);
			// what autovacuum does to a loaded table before long: statistics and the visibility map
			jdbc.execute("VACUUM (ANALYZE) dead_letter_record, dead_letter_state");
		}
	}

	@AfterAll
	static void stop() {
		if (service != null) {
			service.close();
		}
		if (broker != null) {
			broker.close();
		}
	}

	@Test
	void measuresTypicalSearches() throws Exception {
		int port = Integer.parseInt(service.getEnvironment().getRequiredProperty("local.server.port"));
		String token = signingKey.mint("ops-measure", List.of("ops"), null, Duration.ofHours(2));
		Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		// bin/dlq-seed spreads a million entries over the last 11.6 days (one a second): 8 days back is deep
		String cursor = Page.encode(List.of(now.minus(Duration.ofDays(8)).toString(),
				"ffffffff-ffff-ffff-ffff-ffffffffffff"));
		Map<String, String> searches = new LinkedHashMap<>();
		searches.put("newest first, no filter", "/api/v1/dlq/messages?limit=50");
		searches.put("by status", "/api/v1/dlq/messages?status=PERMANENTLY_FAILED&limit=50");
		searches.put("by source service and topic",
				"/api/v1/dlq/messages?sourceService=patient-service&topic=lis.inbound.v1&limit=50");
		searches.put("by error class, last 7 days", "/api/v1/dlq/messages?errorClass=java.net.SocketTimeoutException"
				+ "&from=" + now.minus(Duration.ofDays(7)) + "&limit=50");
		searches.put("by record key", "/api/v1/dlq/messages?key=patient-4242&limit=50");
		searches.put("text in the error message", "/api/v1/dlq/messages?q=" + encode("timed sms") + "&limit=50");
		searches.put("a page deep in a keyset scan (8 days back)",
				"/api/v1/dlq/messages?limit=50&cursor=" + encode(cursor));
		searches.put("facets for one service, last day",
				"/api/v1/dlq/messages/facets?sourceService=patient-service&from=" + now.minus(Duration.ofDays(1)));
		searches.put("facets, no range (default window: last hour)", "/api/v1/dlq/messages/facets");
		searches.put("facets, last 24 hours", "/api/v1/dlq/messages/facets?from=" + now.minus(Duration.ofDays(1)));
		searches.put("facets, last 7 days", "/api/v1/dlq/messages/facets?from=" + now.minus(Duration.ofDays(7)));
		searches.put("facets over every entry", "/api/v1/dlq/messages/facets?from=2000-01-01T00:00:00Z");
		searches.put("failure patterns (unresolved, default)", "/api/v1/dlq/patterns");

		Duration each = Duration.ofSeconds(Long.getLong("dlq.search-latency.seconds", 8L));
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		StringBuilder table = new StringBuilder();
		table.append("entries: ").append(count(service.getBean(JdbcTemplate.class))).append('\n');
		table.append("| search | requests | p50 ms | p99 ms |\n|---|---:|---:|---:|\n");
		// warm-up: every search for a while first, so the JIT has compiled the whole path before any is timed
		for (String path : searches.values()) {
			long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
			for (int i = 0; i < 5 || (i < 300 && System.nanoTime() < until); i++) {
				send(http, request(port, path, token));
			}
		}
		for (Map.Entry<String, String> search : searches.entrySet()) {
			HttpRequest request = request(port, search.getValue(), token);
			List<Long> nanos = new ArrayList<>();
			long until = System.nanoTime() + each.toNanos();
			while (System.nanoTime() < until || nanos.size() < 20) {
				long started = System.nanoTime();
				send(http, request);
				nanos.add(System.nanoTime() - started);
			}
			long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
			Arrays.sort(sorted);
			table.append("| %s | %d | %.2f | %.2f |%n".formatted(search.getKey(), sorted.length,
					percentile(sorted, 0.50), percentile(sorted, 0.99)));
		}
		System.out.println(table);
		Files.writeString(Path.of("target", "search-latency.md"), table);
	}

	private static HttpRequest request(int port, String path, String token) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Authorization", "Bearer " + token)
			.GET()
			.build();
	}

	private static void send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
		HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).as(request.uri().toString()).isEqualTo(200);
	}

	private static double percentile(long[] sorted, double p) {
		return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1_000_000.0;
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static long count(JdbcTemplate jdbc) {
		Long entries = jdbc.queryForObject("SELECT count(*) FROM dead_letter_entry", Long.class);
		return (entries != null) ? entries : 0;
	}

	private static void seed(String url, PostgresServer postgres, String database, long entries)
			throws IOException, InterruptedException {
		URI server = URI.create(url.substring("jdbc:".length()));
		ProcessBuilder seed = new ProcessBuilder(Path.of("..", "bin", "dlq-seed").toString(), Long.toString(entries),
				database)
			.inheritIO();
		seed.environment().put("PGHOST", server.getHost());
		seed.environment().put("PGPORT", Integer.toString(server.getPort()));
		seed.environment().put("PGUSER", postgres.user());
		if (postgres.password() != null) {
			seed.environment().put("PGPASSWORD", postgres.password());
		}
		int status = seed.start().waitFor();
		assertThat(status).as("bin/dlq-seed exit status").isZero();
	}

}
