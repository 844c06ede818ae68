package org.patientplatform.kit.kafka;

import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.KafkaUtils;

/** What the failure path knows of the listener it runs in. */
final class ListenerContext {

	private ListenerContext() {
	}

	/** The consumer group of the listener on this thread, when a container runs it. */
	static @Nullable String groupId() {
		return KafkaUtils.getConsumerGroupId();
	}

}
