package org.patientplatform.dlq.redrive;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.LazyAdmin;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * A topic an operator names for a redrive must exist: a broker that creates topics on first use (Kafka's
 * default) would otherwise make one from a typo, take the records, and leave the entries waiting in
 * {@code RETRYING} for an outcome no consumer will report. Asked of the broker through the admin client,
 * which never creates a topic. The same holds for an entry's original topic (a record dead-lettered by a consumer
 * of a topic since deleted, or a DLQ message naming one that never was): {@link #exists} is asked before a
 * redrive to it, since the producer would create it as it sends.
 */
@Component
class TargetTopics implements DisposableBean {

	/** How long a topic found stays known to exist: one question to the broker per topic and minute. */
	private static final Duration KNOWN_FOR = Duration.ofMinutes(1);

	private final KafkaAdmin admin;

	private final LazyAdmin client;

	private final Map<String, Long> found = new ConcurrentHashMap<>();

	TargetTopics(KafkaAdmin admin) {
		this.admin = admin;
		this.client = new LazyAdmin(admin, "dlq-redrive-topics");
	}

	/**
	 * Whether the broker has the topic: true or false, or null when it cannot say within the time given (the send
	 * then finds out for itself, as before). A topic found is taken to exist for a minute; one not found is asked
	 * about again, so a topic created since is seen at once.
	 */
	@Nullable Boolean exists(String topic, Duration within) {
		Long at = this.found.get(topic);
		if (at != null && System.nanoTime() - at < KNOWN_FOR.toNanos()) {
			return true;
		}
		long millis = Math.max(1, within.toMillis());
		try {
			this.client.get()
				.describeTopics(Set.of(topic), new DescribeTopicsOptions().timeoutMs((int) Math.min(millis, 10_000)))
				.allTopicNames()
				.get(millis, TimeUnit.MILLISECONDS);
			this.found.put(topic, System.nanoTime());
			return true;
		}
		catch (ExecutionException ex) {
			return (ex.getCause() instanceof UnknownTopicOrPartitionException) ? false : null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
		catch (java.util.concurrent.TimeoutException | RuntimeException ex) {
			return null;
		}
	}

	@Override
	public void destroy() {
		this.client.close();
	}

	/**
	 * @throws BrokerRefusal 400 when the broker has no such topic, 503 when it cannot say
	 */
	void requireExisting(@Nullable String topic) {
		if (topic == null) {
			return;
		}
		try {
			this.admin.describeTopics(topic);
		}
		catch (KafkaException ex) {
			for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
				if (cause instanceof UnknownTopicOrPartitionException) {
					throw new BrokerRefusal(HttpStatus.BAD_REQUEST, "targetTopic: the broker has no topic "
							+ topic + "; a redrive does not create topics. Nothing was sent.");
				}
			}
			throw new BrokerRefusal(HttpStatus.SERVICE_UNAVAILABLE,
					"The broker could not say whether topic " + topic + " exists; nothing was sent, try again.");
		}
	}

}
