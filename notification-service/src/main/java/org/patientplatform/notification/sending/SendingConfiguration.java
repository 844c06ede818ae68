package org.patientplatform.notification.sending;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.notification.channels.ChannelSender;
import org.patientplatform.notification.contacts.ContactChanges;
import org.patientplatform.notification.contacts.ContactDirectory;
import org.patientplatform.notification.delivery.DeliveryQueue;
import org.patientplatform.notification.delivery.Notifications;
import org.patientplatform.notification.templates.MessageTemplates;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The senders run where {@code wrk--notifications} does; the fallback policy and the
 * meters serve the receipt consumers too. A {@link Clock} bean, when there is one, is the
 * senders' time (tests move it).
 */
@Configuration(proxyBeanMethods = false)
class SendingConfiguration {

	@Bean
	FallbackPolicy fallbackPolicy(SendingProperties properties) {
		return new FallbackPolicy(properties.fallbackOrder());
	}

	@Bean
	NotificationMetrics notificationMetrics(MeterRegistry registry) {
		return new NotificationMetrics(registry);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnRole("wrk--notifications")
	static class Senders {

		@Bean
		SendBatches sendBatches(DeliveryQueue queue, Notifications notifications, ContactDirectory contacts,
				ContactChanges contactChanges, MessageTemplates templates, PortalLinks portal,
				ObjectProvider<ChannelSender> senders, FallbackPolicy fallback, NotificationMetrics metrics,
				SendingProperties properties, AuditLog audit, ObjectProvider<Clock> clock) {
			return new SendBatches(queue, notifications, contacts, contactChanges,
					new SendPolicy(templates, portal, properties), new ChannelSenders(senders.orderedStream().toList()),
					fallback, metrics, properties, audit, clock.getIfAvailable(Clock::systemUTC));
		}

		@Bean
		DeliveryPoller deliveryPoller(SendBatches batches, SendingProperties properties, ObjectProvider<Clock> clock) {
			return new DeliveryPoller(batches, new ProviderRateLimits(properties), properties,
					clock.getIfAvailable(Clock::systemUTC));
		}

		@Bean
		QueueDepthGauge queueDepthGauge(DeliveryQueue queue, SendingProperties properties, MeterRegistry registry,
				ObjectProvider<Clock> clock) {
			return new QueueDepthGauge(queue, clock.getIfAvailable(Clock::systemUTC), properties.queueDepthSampling(),
					registry);
		}

	}

}
