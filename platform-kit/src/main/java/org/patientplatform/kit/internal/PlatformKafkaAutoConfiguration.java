package org.patientplatform.kit.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.validation.Validator;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.kafka.DeadLetterPublisher;
import org.patientplatform.kit.kafka.NonRetryableClassifier;
import org.patientplatform.kit.kafka.PlatformKafkaProperties;
import org.patientplatform.kit.kafka.RedriveOutcomeReporter;
import org.patientplatform.kit.roles.PlatformRoles;
import org.patientplatform.kit.web.TransientDatabaseFailures;
import tools.jackson.databind.json.JsonMapper;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.kafka.autoconfigure.ConcurrentKafkaListenerContainerFactoryConfigurer;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * One failure path for every Kafka listener of the service (Boot applies the error handler and the
 * record interceptor to its listener container factory): a few quick retries for retryable errors,
 * none for the rest, then the record goes to the DLQ and only then is its offset committed.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(PlatformKafkaProperties.class)
class PlatformKafkaAutoConfiguration {

	static {
		// Spring Kafka logs records with this formatter: coordinates only, never keys or values (PHI).
		KafkaUtils.setConsumerRecordFormatter(
				(record) -> record.topic() + "-" + record.partition() + "@" + record.offset());
	}

	@Bean
	PlatformEvents platformEvents(JsonMapper json, Validator validator, PlatformRoles roles) {
		return new PlatformEvents(json, validator, roles.service());
	}

	@Bean
	NonRetryableClassifier nonRetryableClassifier(PlatformKafkaProperties properties) {
		return new NonRetryableClassifier(properties.nonRetryable(), properties.deadLetterAtOnce());
	}

	@Bean
	RedriveOutcomeReporter redriveOutcomeReporter(KafkaTemplate<byte[], byte[]> kafkaTemplate, PlatformEvents events,
			PlatformKafkaProperties properties, PlatformRoles roles) {
		return new RedriveOutcomeReporter(kafkaTemplate, events, properties, roles.service());
	}

	@Bean
	DeadLetterPublisher deadLetterPublisher(KafkaTemplate<byte[], byte[]> kafkaTemplate,
			PlatformKafkaProperties properties, PlatformRoles roles, NonRetryableClassifier classifier,
			RedriveOutcomeReporter outcomes) {
		// the application's producer without an observation: the failed record goes to the DLQ with its own headers
		// as they were, and a span of the send would write its traceparent over the record's (or add one), which
		// the DLQ then redrives under the failure's trace
		// and a larger max.request.size than the application's: a record its topic took (up to that topic's limit,
		// the broker's 1 MiB by default) goes on with the error headers added, and the client refused it for ever
		KafkaTemplate<byte[], byte[]> unobserved = new KafkaTemplate<>(kafkaTemplate.getProducerFactory(),
				Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, deadLetterMaxBytes(properties)));
		unobserved.setObservationEnabled(false);
		return new DeadLetterPublisher(unobserved, properties, roles.service(), classifier, outcomes);
	}

	/**
	 * The DLQ topic, made by whichever service starts first, with room for the largest record the failure path
	 * sends ({@code platform.kafka.failure.dead-letter-max-bytes}); an existing topic's limit is set to it too
	 * ({@code spring.kafka.admin.modify-topic-configs}, in the kit's defaults). Six partitions, as the DLQ
	 * service declares it.
	 */
	@Bean
	NewTopic platformDeadLetterTopic(PlatformKafkaProperties properties) {
		return TopicBuilder.name(properties.deadLetterTopic())
			.partitions(6)
			.config(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(deadLetterMaxBytes(properties)))
			.build();
	}

	private static int deadLetterMaxBytes(PlatformKafkaProperties properties) {
		return Math.toIntExact(properties.deadLetterMaxBytes().toBytes());
	}

	/**
	 * For listeners that take a whole poll ({@code containerFactory = "batchListenerContainerFactory"}): the
	 * same failure path, offsets committed per batch. A listener names a bad record by throwing
	 * {@code BatchListenerFailedException} with its index: the records before it are committed and it goes
	 * the failure path alone. Any other exception, whatever its cause (meant for the database being down, but a
	 * listener that lets a data error escape lands here too, so listeners turn a bad record into
	 * {@code InvalidEventException} or name it), retries the whole batch with backoff for up to five minutes
	 * before the batch is dead-lettered: delayed, never lost.
	 */
	@Bean
	ConcurrentKafkaListenerContainerFactory<Object, Object> batchListenerContainerFactory(
			ConcurrentKafkaListenerContainerFactoryConfigurer configurer, ConsumerFactory<Object, Object> consumerFactory,
			DeadLetterPublisher publisher, NonRetryableClassifier classifier, RedriveOutcomeReporter outcomes) {
		ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
		configurer.configure(factory, consumerFactory);
		factory.setBatchListener(true);
		factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.BATCH);
		ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2.0);
		backOff.setMaxInterval(30_000);
		backOff.setMaxElapsedTime(Duration.ofMinutes(5).toMillis());
		DefaultErrorHandler handler = new DefaultErrorHandler(publisher, backOff);
		handler.addNotRetryableExceptions(skippingQuickRetries(classifier).toArray(Class[]::new));
		handler.setCommitRecovered(true);
		// once the failed record is dead-lettered, Spring Kafka seeks to the rest of the batch by throwing: the
		// container logged that routine step as an ERROR with the stack; a retry in progress is a warning too
		handler.setLogLevel(KafkaException.Level.WARN);
		factory.setCommonErrorHandler(handler);
		factory.setBatchInterceptor(new BatchInterceptor<>() {

			@Override
			public ConsumerRecords<Object, Object> intercept(ConsumerRecords<Object, Object> records,
					Consumer<Object, Object> consumer) {
				return records;
			}

			@Override
			public void success(ConsumerRecords<Object, Object> records, Consumer<Object, Object> consumer) {
				records.forEach((record) -> outcomes.success(record, consumer));
			}

		});
		return factory;
	}

	/**
	 * The database cannot be reached (as opposed to refusing this record's data): also when the pool gave no
	 * connection in time or the session was ended, as the API's 503s have it ({@link TransientDatabaseFailures},
	 * unavailable). Before, a database refusing connections (Hikari's timeout carries the last attempt's SQL state,
	 * 55000 "not accepting connections" or 57P03 "starting up", wrapped in CannotCreateTransactionException) was
	 * taken for a fault of the record: after the three quick retries the record was dead-lettered, and a message
	 * in flight when the database went away was lost to the service.
	 */
	static boolean isInfrastructureOutage(@Nullable Throwable failure) {
		if (failure != null) {
			TransientDatabaseFailures.Failure transientFailure = TransientDatabaseFailures.classify(failure);
			if (transientFailure != null && transientFailure.kind() == TransientDatabaseFailures.Kind.UNAVAILABLE) {
				return true;
			}
		}
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof CannotGetJdbcConnectionException || t instanceof TransientDataAccessResourceException
					|| t instanceof RecoverableDataAccessException || t instanceof java.net.ConnectException
					|| (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
							&& sql.getSQLState().startsWith("08"))) {
				return true;
			}
			if (t.getCause() == t) {
				break;
			}
		}
		return false;
	}

	/** The exception types dead-lettered without the in-process retries. */
	private List<Class<? extends Exception>> skippingQuickRetries(NonRetryableClassifier classifier) {
		List<Class<? extends Exception>> types = new ArrayList<>();
		for (String name : classifier.skippingQuickRetries()) {
			if (ClassUtils.isPresent(name, getClass().getClassLoader())) {
				Class<?> type = ClassUtils.resolveClassName(name, getClass().getClassLoader());
				if (Exception.class.isAssignableFrom(type)) {
					types.add(type.asSubclass(Exception.class));
				}
			}
		}
		return types;
	}

	@Bean
	CommonErrorHandler platformErrorHandler(DeadLetterPublisher publisher, PlatformKafkaProperties properties,
			NonRetryableClassifier classifier) {
		ExponentialBackOff backOff = new ExponentialBackOff(properties.initialBackoff().toMillis(), 2.0);
		backOff.setMaxAttempts(properties.retries());
		DefaultErrorHandler handler = new DefaultErrorHandler(publisher, backOff);
		handler.addNotRetryableExceptions(skippingQuickRetries(classifier).toArray(Class[]::new));
		// the database being down is no fault of the record: hold the partition and retry until it is back
		ExponentialBackOff untilBack = new ExponentialBackOff(properties.initialBackoff().toMillis(), 2.0);
		untilBack.setMaxInterval(30_000);
		untilBack.setMaxAttempts(Integer.MAX_VALUE);
		// a value the database can never store is refused the same way on every retry: to the DLQ at once
		FixedBackOff none = new FixedBackOff(0, 0);
		handler.setBackOffFunction((record, ex) -> isInfrastructureOutage(ex) ? untilBack
				: classifier.isNonRetryable(ex) ? none : null);
		handler.setCommitRecovered(true);
		// a retry in progress is a warning, not an error (the dead-lettering logs its own warning)
		handler.setLogLevel(KafkaException.Level.WARN);
		// a failed DLQ publish keeps the record: it is sought back and tried again from the start
		handler.setResetStateOnRecoveryFailure(true);
		// the rest of the poll stays in memory after a failure: a seek made the next poll wait for the fetch
		// already in flight at the log's end (fetch.max.wait.ms, 500 ms), so a burst of bad records that
		// fitted one fetch was dead-lettered at two a second
		handler.setSeekAfterError(false);
		return handler;
	}

}
