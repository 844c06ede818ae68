package org.patientplatform.dlq.capture;

import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

@Configuration(proxyBeanMethods = false)
class CaptureConfiguration {

	@Bean
	PayloadCipher payloadCipher(DlqProperties properties) {
		return new PayloadCipher(properties.encryption());
	}

	@Bean
	NewTopic deadLetterTopic(DlqProperties properties) {
		return TopicBuilder.name(properties.topics().messages()).partitions(6).build();
	}

	/** Outcomes of redriven records, keyed by entry id; consumed by the retry feature. */
	@Bean
	NewTopic retryOutcomesTopic(DlqProperties properties) {
		return TopicBuilder.name(properties.topics().retryOutcomes()).partitions(6).build();
	}

	/**
	 * The capture consumer takes raw bytes in whole poll batches. Parsing never fails (bad records become
	 * raw entries), so the only failures are the database's: those are retried without end, with backoff,
	 * and the offsets stay uncommitted until the batch is stored. Nothing is lost and nothing skipped.
	 */
	@Bean
	@ConditionalOnRole("consumer-retry-message")
	ConcurrentKafkaListenerContainerFactory<byte[], byte[]> captureContainerFactory(KafkaProperties kafka) {
		Map<String, Object> config = kafka.buildConsumerProperties();
		config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		ConcurrentKafkaListenerContainerFactory<byte[], byte[]> factory = new ConcurrentKafkaListenerContainerFactory<>();
		factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(config));
		factory.setBatchListener(true);
		factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
		factory.getContainerProperties().setObservationEnabled(true);
		ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
		backOff.setMaxInterval(30_000);
		backOff.setMaxAttempts(Integer.MAX_VALUE);
		DefaultErrorHandler errorHandler = new DefaultErrorHandler(backOff);
		factory.setCommonErrorHandler(errorHandler);
		return factory;
	}

}
