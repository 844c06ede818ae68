package org.patientplatform.dlq.redrive;

import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * A topic an operator names for a redrive must exist: a broker that creates topics on first use (Kafka's
 * default) would otherwise make one from a typo, take the records, and leave the entries waiting in
 * {@code RETRYING} for an outcome no consumer will report. Asked of the broker through the admin client,
 * which never creates a topic.
 */
@Component
class TargetTopics {

	private final KafkaAdmin admin;

	TargetTopics(KafkaAdmin admin) {
		this.admin = admin;
	}

	/**
	 * @throws ResponseStatusException 400 when the broker has no such topic, 503 when it cannot say
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
					throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "targetTopic: the broker has no topic "
							+ topic + "; a redrive does not create topics. Nothing was sent.");
				}
			}
			throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
					"The broker could not say whether topic " + topic + " exists; nothing was sent, try again.");
		}
	}

}
