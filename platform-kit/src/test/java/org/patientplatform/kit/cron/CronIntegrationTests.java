package org.patientplatform.kit.cron;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KitIntegrationTest;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@KitIntegrationTest
@TestPropertySource(properties = "platform.roles=app")
class CronIntegrationTests {

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void twoInstancesRunEachOccurrenceOnce() {
		Map<String, AtomicInteger> runsPerInstance = new ConcurrentHashMap<>();
		AtomicInteger total = new AtomicInteger();
		CronScheduler first = scheduler("first", runsPerInstance, total);
		CronScheduler second = scheduler("second", runsPerInstance, total);
		first.start();
		second.start();
		try {
			await().atMost(Duration.ofSeconds(20)).until(() -> occurrences() >= 6);
		}
		finally {
			first.stop();
			second.stop();
		}
		int occurrences = occurrences();
		assertThat(total.get()).isEqualTo(occurrences);
		assertThat(first.runs() + second.runs()).isEqualTo(occurrences);
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM cron_occurrence WHERE task = 'every-second' AND outcome = 'SUCCEEDED'",
				Integer.class))
			.isEqualTo(occurrences);
	}

	@Test
	void aTaskGoesOnFiringAfterTheDatabaseFailedWhileAnOccurrenceRan() {
		// the database becomes unreachable while an occurrence runs (it was claimed, then the server stopped), so
		// the occurrence's outcome cannot be recorded either; once the database is back, the task fires again
		AtomicBoolean databaseDown = new AtomicBoolean();
		AtomicInteger runs = new AtomicInteger();
		DataSource dataSource = new DelegatingDataSource(this.jdbc.getDataSource()) {
			@Override
			public Connection getConnection() throws SQLException {
				if (databaseDown.get()) {
					throw new SQLTransientConnectionException("the database is down (test)");
				}
				return super.getConnection();
			}
		};
		CronTask task = new CronTask() {
			@Override
			public String name() {
				return "outage-every-second";
			}

			@Override
			public String cron() {
				return "* * * * * *";
			}

			@Override
			public void run() {
				if (runs.incrementAndGet() == 1) {
					databaseDown.set(true);
					throw new IllegalStateException("the database went away during the run (test)");
				}
			}
		};
		CronScheduler scheduler = new CronScheduler(List.of(task), new JdbcTemplate(dataSource));
		scheduler.start();
		try {
			await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() >= 1);
			// a few occurrences pass with the database down: none can be claimed
			await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
			databaseDown.set(false);
			await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() >= 3);
		}
		finally {
			scheduler.stop();
		}
	}

	private int occurrences() {
		Integer count = this.jdbc.queryForObject("SELECT count(*) FROM cron_occurrence WHERE task = 'every-second' "
				+ "AND finished_at IS NOT NULL", Integer.class);
		return (count != null) ? count : 0;
	}

	private CronScheduler scheduler(String name, Map<String, AtomicInteger> runs, AtomicInteger total) {
		CronTask task = new CronTask() {
			@Override
			public String name() {
				return "every-second";
			}

			@Override
			public String cron() {
				return "* * * * * *";
			}

			@Override
			public void run() {
				runs.computeIfAbsent(name, (k) -> new AtomicInteger()).incrementAndGet();
				total.incrementAndGet();
			}
		};
		return new CronScheduler(List.of(task), this.jdbc);
	}

}
