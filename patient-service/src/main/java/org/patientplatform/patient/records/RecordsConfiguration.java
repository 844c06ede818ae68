package org.patientplatform.patient.records;

import org.apache.kafka.clients.admin.NewTopic;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.kit.security.PublicRequests;

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

	/**
	 * The FHIR server's capability statement is read without a token (GET and HEAD of that path alone), as FHIR
	 * servers serve it: a client reads it to discover the server, and how to
	 * authenticate, before it holds a token. It names no patient.
	 */
	@Bean
	@ConditionalOnRole("app")
	PublicRequests fhirCapabilityStatementIsPublic() {
		return PublicRequests.reads(FhirPatientEndpoint.BASE + FhirPatientEndpoint.METADATA);
	}

}
