package org.patientplatform.notification.results;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.patientplatform.kit.kafka.RedriveOutcomeReporter;
import org.patientplatform.kit.roles.ConditionalOnRole;

import org.springframework.boot.kafka.autoconfigure.ConcurrentKafkaListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.ContainerProperties.AckMode;

@Configuration(proxyBeanMethods = false)
class ResultsConfiguration {

	/**
	 * Boot's listener factory with everything the kit applies to it (the failure path to
	 * the DLQ, observation), but for batch listeners: the kit's default ack mode RECORD
	 * is not allowed with a batch listener, so offsets are committed per batch, after the
	 * listener returned (or, when it names a failed record, up to the record before it).
	 * Redriven records that succeed are reported to the DLQ service as the record
	 * listeners' interceptor does.
	 */
	@Bean
	@ConditionalOnRole("consumer-test-result-notification")
	ConcurrentKafkaListenerContainerFactory<Object, Object> testResultBatchListenerFactory(
			ConcurrentKafkaListenerContainerFactoryConfigurer configurer,
			ConsumerFactory<Object, Object> consumerFactory, RedriveOutcomeReporter redriveOutcomes) {
		ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
		configurer.configure(factory, consumerFactory);
		factory.setBatchListener(true);
		factory.getContainerProperties().setAckMode(AckMode.BATCH);
		factory.setBatchInterceptor(new BatchInterceptor<>() {

			@Override
			public ConsumerRecords<Object, Object> intercept(ConsumerRecords<Object, Object> records,
					Consumer<Object, Object> consumer) {
				return records;
			}

			@Override
			public void success(ConsumerRecords<Object, Object> records, Consumer<Object, Object> consumer) {
				records.forEach((record) -> redriveOutcomes.success(record, consumer));
			}

		});
		return factory;
	}

}
