package org.patientplatform.notification.channels;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One {@link ChannelSender} bean per channel, configured by {@link ChannelsProperties}. */
@Configuration(proxyBeanMethods = false)
class ChannelsConfiguration {

	@Bean
	ChannelSender smtpEmailSender(ChannelsProperties properties, MeterRegistry registry) {
		return new SmtpEmailSender(properties.email(), registry);
	}

	@Bean
	ChannelSender twilioSmsSender(ChannelsProperties properties, MeterRegistry registry) {
		return new TwilioSmsSender(properties.sms(), registry);
	}

	@Bean
	ChannelSender fcmPushSender(ChannelsProperties properties, MeterRegistry registry, ObjectProvider<Clock> clock) {
		return new FcmPushSender(properties.push(), registry, clock.getIfAvailable(Clock::systemUTC));
	}

}
