package org.patientplatform.notification.housekeeping;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.patientplatform.kit.cron.CronTask;
import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.kit.jobs.Jobs;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code cron} role asks for each housekeeping run as a kit job on the {@code default}
 * queue (de-duplicated per occurrence); the {@code wrk--default} worker does the work, in
 * chunks, with retries: expiry every 15 minutes, the previous UTC day's delivery report at
 * 00:10, the body purge at 03:40.
 */
@Configuration(proxyBeanMethods = false)
class HousekeepingJobs {

	static final String EXPIRE = "notification.housekeeping.expire";

	static final String PURGE = "notification.housekeeping.purge";

	static final String REPORT = "notification.daily-report";

	private static final Logger log = LoggerFactory.getLogger(HousekeepingJobs.class);

	private static final Clock clock = Clock.systemUTC();

	@Bean
	JobHandler notificationExpiryHandler(NoticeExpiry expiry) {
		return handler(EXPIRE, (job) -> {
			Instant now = now();
			expiry.expireStale(now);
			expiry.releaseKnown(now);
			expiry.endParked(now);
		});
	}

	@Bean
	JobHandler notificationPurgeHandler(BodyPurge purge) {
		return handler(PURGE, (job) -> purge.purge(now()));
	}

	@Bean
	JobHandler notificationDailyReportHandler(DeliveryReports reports) {
		return handler(REPORT, (job) -> {
			LocalDate day = LocalDate.parse(job.payload().get("day").asString());
			DeliveryReport report = reports.build(day, now());
			log.info("Built the delivery report of {}: {} notifications", day, report.notifications());
		});
	}

	@Bean
	@ConditionalOnRole("cron")
	CronTask notificationExpiryTask(Jobs jobs) {
		return task("notification-expiry", "0 */15 * * * *", () -> jobs.enqueue(Jobs.DEFAULT, EXPIRE, Map.of(), null,
				EXPIRE + ":" + now().truncatedTo(ChronoUnit.MINUTES), 3));
	}

	@Bean
	@ConditionalOnRole("cron")
	CronTask notificationDailyReportTask(Jobs jobs) {
		return task("notification-daily-report", "0 10 0 * * *", () -> enqueueReport(jobs,
				LocalDate.ofInstant(now(), ZoneOffset.UTC).minusDays(1)));
	}

	@Bean
	@ConditionalOnRole("cron")
	CronTask notificationPurgeTask(Jobs jobs) {
		return task("notification-body-purge", "0 40 3 * * *", () -> jobs.enqueue(Jobs.DEFAULT, PURGE, Map.of(), null,
				PURGE + ":" + LocalDate.ofInstant(now(), ZoneOffset.UTC), 10));
	}

	static long enqueueReport(Jobs jobs, LocalDate day) {
		return jobs.enqueue(Jobs.DEFAULT, REPORT, Map.of("day", day.toString()), null, REPORT + ":" + day, 10);
	}

	private static Instant now() {
		return clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

	private static JobHandler handler(String type, Work work) {
		return new JobHandler() {
			@Override
			public String type() {
				return type;
			}

			@Override
			public void handle(Job job) {
				work.run(job);
			}
		};
	}

	private static CronTask task(String name, String cron, Runnable run) {
		return new CronTask() {
			@Override
			public String name() {
				return name;
			}

			@Override
			public String cron() {
				return cron;
			}

			@Override
			public void run() {
				run.run();
			}
		};
	}

	@FunctionalInterface
	private interface Work {

		void run(JobHandler.Job job);

	}

}
