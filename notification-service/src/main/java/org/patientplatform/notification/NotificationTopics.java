package org.patientplatform.notification;

import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

/**
 * The topics the service consumes, with the partitions DESIGN §3 asks for: test results
 * are the highest-volume stream (six consumer replicas and more), so they get 12.
 */
@Configuration(proxyBeanMethods = false)
class NotificationTopics {

	@Bean
	NewTopic testResultsTopic(Names names) {
		return TopicBuilder.name(names.testResults()).partitions(12).build();
	}

	@Bean
	NewTopic notificationRequestsTopic(Names names) {
		return TopicBuilder.name(names.requests()).partitions(6).build();
	}

	@Bean
	NewTopic notificationStatusTopic(Names names) {
		return TopicBuilder.name(names.status()).partitions(6).build();
	}

	@Bean
	NewTopic patientEventsTopic(Names names) {
		return TopicBuilder.name(names.patientEvents()).partitions(6).build();
	}

	/**
	 * The topic names.
	 *
	 * @param testResults TestResultReady events, keyed by patient id
	 * @param patientEvents patient events the contact projection reads, keyed by patient
	 * id
	 * @param requests NotificationRequested from any service, keyed by patient id
	 * @param status provider receipts, keyed by notification id
	 */
	@ConfigurationProperties("notification.topics")
	record Names(String testResults, String patientEvents, String requests, String status) {
	}

}
