package org.patientplatform.booking.bookings;

import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

@Configuration(proxyBeanMethods = false)
class BookingEventsConfiguration {

	/** Keyed by site id: six partitions let up to six consumer replicas share the sites. */
	@Bean
	NewTopic bookingEventsTopic(BookingProperties properties) {
		return TopicBuilder.name(properties.topics().events()).partitions(6).build();
	}

	/**
	 * The notification service's requests topic, with the partitions it declares too (DESIGN §3): the outbox
	 * relay publishes this service's events in one batch, so a topic missing where the broker does not create
	 * topics would hold back the booking events as well.
	 */
	/** The patient service's events (merges are read here), with the partitions it declares too (DESIGN §3). */
	@Bean
	NewTopic patientEventsTopic(PatientEventsProperties properties) {
		return TopicBuilder.name(properties.topic()).partitions(6).build();
	}

	@Bean
	NewTopic notificationRequestsTopic(BookingProperties properties) {
		return TopicBuilder.name(properties.topics().notificationRequests()).partitions(6).build();
	}

}
