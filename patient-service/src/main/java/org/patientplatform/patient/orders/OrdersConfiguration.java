package org.patientplatform.patient.orders;

import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

@Configuration(proxyBeanMethods = false)
class OrdersConfiguration {

	/** lab.test-results.v1, with the partitions the notification service declares too (DESIGN §3). */
	@Bean
	NewTopic testResultsTopic(TestResultsProperties properties) {
		return TopicBuilder.name(properties.topic()).partitions(properties.partitions()).build();
	}

}
