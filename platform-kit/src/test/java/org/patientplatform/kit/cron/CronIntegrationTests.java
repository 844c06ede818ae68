package org.patientplatform.kit.cron;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KitIntegrationTest;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
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
