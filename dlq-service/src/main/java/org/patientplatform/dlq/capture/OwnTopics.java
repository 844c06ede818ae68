package org.patientplatform.dlq.capture;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * The DLQ's own topics ({@code dlq.messages.v1}, {@code dlq.retry-outcomes.v1}, as configured). No failed
 * record of another service comes from them, and none may be sent to them: a record redriven to the first is
 * captured again as a new entry while its own waits for an outcome that never comes. The API refuses them
 * ({@link NotOwnTopic}); the capture keeps a record that names one as its original topic raw, and the
 * redriver refuses to send to one.
 */
@Component
public class OwnTopics {

	private final List<String> names;

	OwnTopics(DlqProperties properties) {
		this.names = List.of(properties.topics().messages(), properties.topics().retryOutcomes());
	}

	public boolean contains(@Nullable String topic) {
		return topic != null && this.names.contains(topic);
	}

	/** Why a record is not sent to, or captured from, one of them. */
	public String reason(String topic) {
		return topic + " is one of the DLQ's own topics (" + String.join(", ", this.names)
				+ "): kept raw and never redriven, since a record redriven there would be captured again";
	}

}
