package org.patientplatform.notification.requests;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.kit.events.IncomingEvent;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.kafka.BatchStores;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.notification.templates.MissingParametersException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;

/**
 * Role {@code consumer-notification}: reads notification.requests.v1 a whole poll at a
 * time and applies it in one transaction. A record that is not a valid
 * NotificationRequested or NotificationCancelled (another type, bad data, a type without
 * templates) stops the batch there: the records before it are applied, then
 * {@link BatchListenerFailedException} names it so the kit's error handler commits those,
 * dead-letters exactly that record with the reason, and redelivers the rest. Logs carry
 * counts and coordinates only.
 */
@Component
@ConditionalOnRole("consumer-notification")
class NotificationRequestListener {

	private static final Logger log = LoggerFactory.getLogger(NotificationRequestListener.class);

	private final PlatformEvents events;

	private final NotificationRequests requests;

	NotificationRequestListener(PlatformEvents events, NotificationRequests requests) {
		this.events = events;
		this.requests = requests;
	}

	@KafkaListener(id = "notification-requests", topics = "${notification.topics.requests}",
			groupId = "${notification.requests.consumer-group}", containerFactory = "batchListenerContainerFactory",
			batch = "true", concurrency = "${notification.requests.concurrency}")
	void on(List<ConsumerRecord<byte[], byte[]>> records) {
		List<IncomingEvent<?>> valid = new ArrayList<>(records.size());
		// the requester (patient and type) of each key requested earlier in this batch, not stored yet
		Map<String, String> keysOfThisBatch = new HashMap<>();
		for (int index = 0; index < records.size(); index++) {
			ConsumerRecord<byte[], byte[]> record = records.get(index);
			try {
				IncomingEvent<?> event = read(record);
				if (event.data() instanceof NotificationRequested request) {
					String requester = request.patientId() + "\u001f" + request.type();
					String earlier = keysOfThisBatch.putIfAbsent(request.idempotencyKey(), requester);
					if (earlier != null && !earlier.equals(requester)) {
						throw new InvalidEventException("Event " + event.id() + ": "
								+ new IdempotencyKeyTakenException().getMessage());
					}
				}
				valid.add(event);
			}
			catch (InvalidEventException ex) {
				apply(valid);
				log.warn("Invalid notification request at {}-{}@{}, index {} of a batch of {}; the {} before it are "
						+ "applied", record.topic(), record.partition(), record.offset(), index, records.size(),
						valid.size());
				throw new BatchListenerFailedException(ex.getMessage(), ex, index);
			}
		}
		apply(valid);
	}

	private IncomingEvent<?> read(ConsumerRecord<byte[], byte[]> record) {
		// binary or structured mode: the kit's envelope names the type either way
		CloudEvent envelope = this.events.envelope(record);
		String type = envelope.getType();
		return switch (type) {
			case NotificationRequested.TYPE -> {
				IncomingEvent<NotificationRequested> event = this.events.read(envelope, type,
						NotificationRequested.class);
				try {
					this.requests.requireAcceptable(event.data());
					this.requests.requireKeyFree(event.data());
				}
				catch (UnknownNotificationTypeException | MissingParametersException | NotBeforeTooFarException
						| IdempotencyKeyTakenException ex) {
					throw new InvalidEventException("Event " + event.id() + ": " + ex.getMessage());
				}
				yield event;
			}
			case NotificationCancelled.TYPE -> this.events.read(envelope, type, NotificationCancelled.class);
			default -> throw new InvalidEventException("Event type " + type + " is not a notification request");
		};
	}

	/** Applies the events in one transaction; a record whose data the database refuses is found and named. */
	private void apply(List<IncomingEvent<?>> valid) {
		BatchStores.storeFindingRefused(valid, (events) -> {
			int created = this.requests.apply(events);
			log.debug("Created {} notifications from {} request events", created, events.size());
		});
	}

}
