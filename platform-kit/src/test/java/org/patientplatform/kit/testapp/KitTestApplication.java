package org.patientplatform.kit.testapp;

import org.patientplatform.kit.roles.PlatformService;
import org.patientplatform.kit.security.PublicRequests;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;

/** A small service built on the kit, so the kit's tests exercise it the way services use it. */
@SpringBootApplication
@PlatformService(name = "kit-test", roles = { "app", "consumer-test", "wrk--default", "wrk--notifications", "cron" })
public class KitTestApplication {

	@Bean
	NewTopic things() {
		return TopicBuilder.name(ThingListener.TOPIC).partitions(3).build();
	}

	@Bean
	NewTopic largeThings() {
		return TopicBuilder.name(ThingListener.LARGE_TOPIC)
			.partitions(1)
			.config(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(12 * 1024 * 1024))
			.build();
	}

	@Bean
	PublicRequests aboutIsPublic() {
		return PublicRequests.reads(AboutEndpoint.PATH);
	}

}
