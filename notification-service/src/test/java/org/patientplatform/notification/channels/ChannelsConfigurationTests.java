package org.patientplatform.notification.channels;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.patientplatform.notification.delivery.Channel;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/** The senders as beans, configured from the service's own {@code notification-service.yml}. */
class ChannelsConfigurationTests {

	final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withInitializer((context) -> {
			try {
				new YamlPropertySourceLoader().load("notification-service", new ClassPathResource("notification-service.yml"))
					.forEach(context.getEnvironment().getPropertySources()::addLast);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		})
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withUserConfiguration(ChannelsConfiguration.class, Properties.class);

	@EnableConfigurationProperties(ChannelsProperties.class)
	static class Properties {

	}

	@Test
	void exposesOneSenderPerChannel() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBeansOfType(ChannelSender.class).values())
				.extracting(ChannelSender::channel, ChannelSender::provider)
				.containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(Channel.EMAIL, "smtp"),
						org.assertj.core.groups.Tuple.tuple(Channel.SMS, "twilio"),
						org.assertj.core.groups.Tuple.tuple(Channel.PUSH, "fcm"));
		});
	}

	@Test
	void defaultsToTheLocalStandins() {
		this.runner.run((context) -> {
			ChannelsProperties properties = context.getBean(ChannelsProperties.class);
			assertThat(properties.sms().baseUrl()).isEqualTo(URI.create("http://127.0.0.1:31880"));
			assertThat(properties.sms().statusCallbackUrl())
				.isEqualTo("http://127.0.0.1:30181/api/v1/notifications/webhooks/twilio/status");
			assertThat(properties.sms().inboundUrl())
				.isEqualTo("http://127.0.0.1:30181/api/v1/notifications/webhooks/twilio/inbound");
			assertThat(properties.push().tokenUri()).isEqualTo(URI.create("http://127.0.0.1:31881/token"));
			assertThat(properties.email().port()).isEqualTo(3025);
			assertThat(properties.email().readTimeout()).isEqualTo(Duration.ofSeconds(10));
		});
	}

	@Test
	void keepsSecretsOutOfToString() {
		this.runner.run((context) -> assertThat(context.getBean(ChannelsProperties.class).toString())
			.doesNotContain("local-standin-auth-token"));
	}

}
