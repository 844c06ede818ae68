package org.patientplatform.dlq.report;

import java.time.Clock;
import java.time.LocalDate;
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
 * The cron role asks for yesterday's report once a day (a kit job, de-duplicated per day); the
 * {@code wrk--default} worker builds it.
 */
@Configuration(proxyBeanMethods = false)
class DailyReportJobs {

	static final String JOB_TYPE = "dlq.daily-report";

	private static final Logger log = LoggerFactory.getLogger(DailyReportJobs.class);

	@Bean
	JobHandler dailyReportBuilder(DailyReports reports) {
		return new JobHandler() {
			@Override
			public String type() {
				return JOB_TYPE;
			}

			@Override
			public void handle(Job job) {
				LocalDate day = LocalDate.parse(job.payload().get("day").asString());
				DailyReport report = reports.build(day);
				log.info("Built the DLQ report of {}: {} failures, {} new entries", day, report.failures(),
						report.newEntries());
			}
		};
	}

	@Bean
	@ConditionalOnRole("cron")
	CronTask dailyReportTask(Jobs jobs) {
		return new CronTask() {
			@Override
			public String name() {
				return "dlq-daily-report";
			}

			@Override
			public String cron() {
				return "0 5 0 * * *";
			}

			@Override
			public void run() {
				enqueueFor(jobs, LocalDate.now(Clock.systemUTC()).minusDays(1));
			}
		};
	}

	static long enqueueFor(Jobs jobs, LocalDate day) {
		return jobs.enqueue(Jobs.DEFAULT, JOB_TYPE, Map.of("day", day.toString()), null, JOB_TYPE + ":" + day, 10);
	}


}
