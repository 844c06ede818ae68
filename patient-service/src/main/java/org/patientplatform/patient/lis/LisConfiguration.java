package org.patientplatform.patient.lis;

import org.apache.kafka.clients.admin.NewTopic;
import org.patientplatform.patient.records.Patients;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

@Configuration(proxyBeanMethods = false)
class LisConfiguration {

	@Bean
	NewTopic lisInboundTopic(LisProperties properties) {
		return TopicBuilder.name(properties.topic()).partitions(properties.partitions()).build();
	}

	@Bean
	MrnChooser mrnChooser(Patients patients, LisProperties properties) {
		return new MrnChooser(patients::findByMrnOf, properties.mrnAuthority());
	}

	@Bean
	Hl7MessageReader hl7MessageReader(LisProperties properties, MrnChooser mrns) {
		return new Hl7MessageReader(properties.defaultZone(), mrns);
	}

}
