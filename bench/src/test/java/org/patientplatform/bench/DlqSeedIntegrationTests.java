package org.patientplatform.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.patientplatform.local.infra.PostgresServer;
import org.patientplatform.local.infra.testing.RealInfrastructureInitializer;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bin/dlq-seed}'s SQL on the DLQ service's own schema, as its migrations make it. */
class DlqSeedIntegrationTests {

	@Test
	void seedsEntriesWithTimeOrderedIdsAsTheCaptureWritesThem() throws Exception {
		PostgresServer server = RealInfrastructureInitializer.postgres();
		byte[] random = new byte[5];
		ThreadLocalRandom.current().nextBytes(random);
		String name = "test_seed_" + HexFormat.of().formatHex(random);
		String url = server.createDatabaseIfMissing(name);
		try (Infrastructure.Database db = new Infrastructure.Database(name, url, server.user(), server.password(),
				() -> server.dropDatabase(name))) {
			Flyway.configure()
				.dataSource(db.url(), db.user(), db.password())
				.locations("classpath:db/migration/dlq")
				.load()
				.migrate();
			DlqSeed.load(db, 5_000);

			List<UUID> ids = new ArrayList<>();
			List<Instant> lastFailures = new ArrayList<>();
			try (Connection connection = db.connect(); Statement statement = connection.createStatement();
					ResultSet rs = statement.executeQuery(
							"SELECT id, last_failed_at FROM dead_letter_record ORDER BY last_failed_at, id")) {
				while (rs.next()) {
					ids.add(rs.getObject(1, UUID.class));
					lastFailures.add(rs.getTimestamp(2).toInstant());
				}
			}
			assertThat(ids).hasSize(5_000).doesNotHaveDuplicates();
			assertThat(db.count("SELECT count(*) FROM dead_letter_entry")).isEqualTo(5_000);
			for (int i = 0; i < ids.size(); i++) {
				UUID id = ids.get(i);
				assertThat(id.version()).as("version of %s", id).isEqualTo(7);
				assertThat(id.variant()).as("variant of %s", id).isEqualTo(2);
				// the first 48 bits: the last failure's Unix time in milliseconds
				assertThat(id.getMostSignificantBits() >>> 16).as("time of %s", id)
					.isEqualTo(lastFailures.get(i).toEpochMilli());
			}
			// so the primary key's order is the failures' order: new entries at its right edge
			assertThat(ids).isSortedAccordingTo(Comparator.comparing(UUID::toString));
			// a scheduled entry has its next attempt, as the service writes one (before: none, so never due),
			// and none falls due in a running platform: the seed's payloads are not the service's
			assertThat(db.count("SELECT count(*) FROM dead_letter_entry WHERE status = 'RETRY_SCHEDULED'")).isPositive();
			assertThat(db.count("SELECT count(*) FROM dead_letter_entry WHERE status = 'RETRY_SCHEDULED' "
					+ "AND (next_attempt_at IS NULL OR next_attempt_at < now() + interval '300 days')")).isZero();
			// partitions that every seeded topic has (the local run's broker creates topics with three; up to 11
			// before, which no topic had)
			assertThat(db.count("SELECT count(*) FROM dead_letter_record WHERE original_partition NOT BETWEEN 0 AND 2"))
				.isZero();
			// fingerprints as the platform's (16 hex digits)
			assertThat(db.count("SELECT count(*) FROM dead_letter_record WHERE length(fingerprint) <> 16")).isZero();

			// each entry has its history, one failure per attempt (before: none, so the daily report counted no
			// failures and the volume alert ignored them)
			assertThat(db.count("SELECT count(*) FROM dead_letter_record r WHERE r.attempts <> "
					+ "(SELECT count(*) FROM dead_letter_attempt a WHERE a.entry_id = r.id)")).isZero();
			assertThat(db.count("SELECT count(*) FROM dead_letter_attempt")).isGreaterThan(5_000);

			// a second run adds after the first (before: a duplicate key on the original coordinates)
			DlqSeed.load(db, 1_000);
			assertThat(db.count("SELECT count(*) FROM dead_letter_entry")).isEqualTo(6_000);
			assertThat(db.count("SELECT count(*) FROM dead_letter_record r WHERE r.attempts <> "
					+ "(SELECT count(*) FROM dead_letter_attempt a WHERE a.entry_id = r.id)")).isZero();
		}
	}

}
