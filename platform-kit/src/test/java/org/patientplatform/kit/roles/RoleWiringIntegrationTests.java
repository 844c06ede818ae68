package org.patientplatform.kit.roles;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.kit.cron.CronScheduler;
import org.patientplatform.kit.jobs.JobWorkers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** With the worker, cron and consumer roles on (and app off), each starts what it owns. */
@KitIntegrationTest
@TestPropertySource(properties = "platform.roles=consumer-test,wrk--notifications,cron")
class RoleWiringIntegrationTests {

	@Autowired
	JobWorkers workers;

	@Autowired
	CronScheduler cron;

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Test
	void startsAWorkerPerWorkerRoleTheCronSchedulerAndTheListeners() {
		assertThat(this.workers.queues()).containsExactly("notifications");
		assertThat(this.workers.isRunning()).isTrue();
		assertThat(this.cron.isRunning()).isTrue();
		assertThat(this.cron.taskNames()).contains("platform-kit-housekeeping");
		assertThat(this.listeners.getListenerContainer("kit-things").isRunning()).isTrue();
	}

	@Test
	void aListenerStopsAfterTheRecordInHandNotAfterTheRestOfItsPoll() {
		// a SIGTERM under load had the container work through up to 500 records, past the shutdown phase's 30 s
		assertThat(this.listeners.getListenerContainer("kit-things").getContainerProperties().isStopImmediate())
			.isTrue();
	}

}
