package org.patientplatform.dlq.capture;

import java.util.Properties;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.patientplatform.kit.kafka.PlatformKafkaProperties;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.boot.kafka.autoconfigure.ConcurrentKafkaListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

@Configuration(proxyBeanMethods = false)
class CaptureConfiguration {

	@Bean
	PayloadCipher payloadCipher(DlqProperties properties) {
		return new PayloadCipher(properties.encryption());
	}

	/** The kit declares it too, with the same limit: whichever service starts first makes it. */
	@Bean
	NewTopic deadLetterTopic(DlqProperties properties, PlatformKafkaProperties failurePath) {
		return TopicBuilder.name(properties.topics().messages())
			.partitions(6)
			.config(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Long.toString(failurePath.deadLetterMaxBytes().toBytes()))
			.build();
	}

	/** Outcomes of redriven records, keyed by entry id; consumed by the retry feature. */
	@Bean
	NewTopic retryOutcomesTopic(DlqProperties properties) {
		return TopicBuilder.name(properties.topics().retryOutcomes()).partitions(6).build();
	}

	/**
	 * The capture consumer takes raw bytes (the kit's consumer defaults) in whole poll batches, on Boot's
	 * consumer factory so it reports the same client metrics, lag included, as every other listener.
	 * Parsing never fails (bad records become raw entries), so the only failures are the database's: those
	 * are retried without end, with backoff, and the offsets stay uncommitted until the batch is stored.
	 * The listener reports them as failed at the batch's first record, so the retry is a seek back and a
	 * new poll, never an in-memory retry of the batch (whose polls, after a rebalance, would drop records
	 * of newly assigned partitions). Nothing is lost and nothing skipped. Polls are larger than the kit's default ({@code dlq.capture.*}):
	 * each is one capture transaction.
	 */
	@Bean
	@ConditionalOnRole("consumer-retry-message")
	ConcurrentKafkaListenerContainerFactory<Object, Object> captureContainerFactory(
			ConcurrentKafkaListenerContainerFactoryConfigurer configurer, ConsumerFactory<Object, Object> consumers,
			DlqProperties properties) {
		ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
		configurer.configure(factory, consumers);
		factory.setBatchListener(true);
		Properties polls = new Properties();
		polls.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
				Integer.toString(properties.capture().maxPollRecords()));
		polls.setProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
				Integer.toString(properties.capture().maxPartitionFetchBytes()));
		factory.getContainerProperties().setKafkaConsumerProperties(polls);
		factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
		ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
		backOff.setMaxInterval(30_000);
		backOff.setMaxAttempts(Integer.MAX_VALUE);
		factory.setCommonErrorHandler(new DefaultErrorHandler(backOff));
		return factory;
	}

}
