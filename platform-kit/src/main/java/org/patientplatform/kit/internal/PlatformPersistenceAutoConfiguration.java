package org.patientplatform.kit.internal;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import org.patientplatform.kit.audit.AuditEndpoint;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.audit.AuditTrail;
import org.patientplatform.kit.audit.RoleDenials;
import org.patientplatform.kit.consumption.ProcessedMessages;
import org.patientplatform.kit.cron.CronScheduler;
import org.patientplatform.kit.cron.CronTask;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.jobs.JobHandler;
import org.patientplatform.kit.jobs.JobQueueMetrics;
import org.patientplatform.kit.jobs.JobWorker;
import org.patientplatform.kit.jobs.JobWorkers;
import org.patientplatform.kit.jobs.Jobs;
import org.patientplatform.kit.jobs.JobsEndpoint;
import org.patientplatform.kit.jobs.JobsProperties;
import org.patientplatform.kit.outbox.Outbox;
import org.patientplatform.kit.outbox.OutboxProperties;
import org.patientplatform.kit.outbox.OutboxRelay;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.roles.PlatformRoles;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The kit's PostgreSQL-backed mechanisms: outbox and relay, idempotent consumption, job queues with a
 * worker per enabled {@code wrk--<queue>} role, cron for the {@code cron} role, the audit log.
 */
@AutoConfiguration(after = PlatformKafkaAutoConfiguration.class)
@EnableConfigurationProperties({ OutboxProperties.class, JobsProperties.class, HousekeepingProperties.class })
class PlatformPersistenceAutoConfiguration {

	@Bean
	Outbox outbox(JdbcTemplate jdbc, JsonMapper json, ObjectProvider<Tracer> tracer) {
		return new Outbox(jdbc, json, tracer);
	}

	@Bean
	OutboxRelay outboxRelay(JdbcTemplate jdbc, TransactionTemplate transactions,
			ProducerFactory<byte[], byte[]> producerFactory, PlatformEvents events, OutboxProperties properties) {
		// no observation on the relay's sends: each record carries the traceparent of the request that
		// wrote it, which a new span of the relay's own would replace
		KafkaTemplate<byte[], byte[]> relayTemplate = new KafkaTemplate<>(producerFactory);
		relayTemplate.setObservationEnabled(false);
		return new OutboxRelay(jdbc, transactions, relayTemplate, events, properties);
	}

	@Bean
	ProcessedMessages processedMessages(JdbcTemplate jdbc, TransactionTemplate transactions) {
		return new ProcessedMessages(jdbc, transactions);
	}

	@Bean
	Jobs jobs(JdbcTemplate jdbc, JsonMapper json) {
		return new Jobs(jdbc, json);
	}

	@Bean
	@ConditionalOnRole({ "wrk--default", "wrk--notifications", "wrk--batch-publisher" })
	JobWorkers jobWorkers(PlatformRoles roles, JdbcTemplate jdbc, JsonMapper json, List<JobHandler> handlers,
			JobsProperties properties) {
		List<JobWorker> workers = new ArrayList<>();
		for (String role : roles.enabled()) {
			if (role.startsWith(JobWorkers.ROLE_PREFIX)) {
				workers.add(new JobWorker(role.substring(JobWorkers.ROLE_PREFIX.length()), jdbc, json, handlers,
						properties));
			}
		}
		return new JobWorkers(workers);
	}

	@Bean
	@ConditionalOnRole({ "wrk--default", "wrk--notifications", "wrk--batch-publisher" })
	JobQueueMetrics jobQueueMetrics(JobWorkers workers, JdbcTemplate jdbc, ObjectProvider<MeterRegistry> registry) {
		return new JobQueueMetrics(jdbc, workers.queues(), registry.getIfAvailable());
	}

	@Bean
	@ConditionalOnRole(PlatformRoles.APP)
	JobsEndpoint jobsEndpoint(Jobs jobs) {
		return new JobsEndpoint(jobs);
	}

	@Bean
	AuditTrail auditTrail(JdbcTemplate jdbc) {
		return new AuditTrail(jdbc);
	}

	@Bean
	@ConditionalOnRole(PlatformRoles.APP)
	AuditEndpoint auditEndpoint(AuditTrail trail) {
		return new AuditEndpoint(trail);
	}

	@Bean
	@ConditionalOnRole("cron")
	CronScheduler cronScheduler(List<CronTask> tasks, JdbcTemplate jdbc) {
		return new CronScheduler(tasks, jdbc);
	}

	@Bean
	CronTask platformKitHousekeeping(JdbcTemplate jdbc, HousekeepingProperties properties) {
		return new Housekeeping(jdbc, properties.retention());
	}

	@Bean
	AuditLog auditLog(JdbcTemplate jdbc, ObjectProvider<Tracer> tracer) {
		return new AuditLog(jdbc, tracer);
	}

	/** Requests refused for their caller's role, audited (the web advice and the security filters' 403). */
	@Bean
	RoleDenials roleDenials(AuditLog audit) {
		return new RoleDenials(audit);
	}

}
