package org.patientplatform.kit.testapp;

import java.util.concurrent.CountDownLatch;

import org.patientplatform.kit.jobs.JobHandler;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** Job types of the test service. */
@Configuration(proxyBeanMethods = false)
public class TestJobs {

	/** Released by tests to let the hung first attempt of a "blocks" job return. */
	public static final CountDownLatch RELEASE = new CountDownLatch(1);

	@Bean
	JobHandler recordRun(JdbcTemplate jdbc) {
		return new JobHandler() {
			@Override
			public String type() {
				return "record-run";
			}

			@Override
			public void handle(Job job) {
				jdbc.update("INSERT INTO test_job_run (job_id, worker) VALUES (?, ?)", job.id(),
						Thread.currentThread().getName());
			}
		};
	}

	@Bean
	JobHandler alwaysFails() {
		return new JobHandler() {
			@Override
			public String type() {
				return "always-fails";
			}

			@Override
			public void handle(Job job) {
				throw new IllegalStateException("provider said no");
			}
		};
	}

	@Bean
	JobHandler blocksUntilReleased(JdbcTemplate jdbc) {
		return new JobHandler() {
			@Override
			public String type() {
				return "blocks";
			}

			@Override
			public void handle(Job job) throws Exception {
				if (job.attempt() == 1) {
					RELEASE.await(); // the first attempt hangs, as if its worker had died
				}
				jdbc.update("INSERT INTO test_job_run (job_id, worker) VALUES (?, ?)", job.id(), "blocked");
			}
		};
	}

	@Bean
	JobHandler takesItsTime(JdbcTemplate jdbc) {
		return new JobHandler() {
			@Override
			public String type() {
				return "takes-its-time";
			}

			@Override
			public void handle(Job job) throws Exception {
				Thread.sleep(job.payload().get("millis").asLong());
				jdbc.update("INSERT INTO test_job_run (job_id, worker) VALUES (?, ?)", job.id(),
						Thread.currentThread().getName());
			}
		};
	}

}
