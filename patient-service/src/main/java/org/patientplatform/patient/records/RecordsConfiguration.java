package org.patientplatform.patient.records;

import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

@Configuration(proxyBeanMethods = false)
class RecordsConfiguration {

	/** patient.events.v1, with the partitions the notification service declares too (DESIGN §3). */
	@Bean
	NewTopic patientEventsTopic(PatientEventsProperties properties) {
		return TopicBuilder.name(properties.topic()).partitions(properties.partitions()).build();
	}

}
