package org.patientplatform.notification.results;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.kit.events.IncomingEvent;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.kafka.BatchStores;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;

/**
 * Role {@code consumer-test-result-notification}: reads lab.test-results.v1 a whole poll
 * at a time and stores the poll's notifications in one transaction. A record that is not
 * a valid TestResultReady stops the batch there: the records before it are stored, then
 * {@link BatchListenerFailedException} names it so the kit's error handler commits those,
 * dead-letters exactly that record, and redelivers the rest. Logs carry counts and
 * coordinates only.
 */
@Component
@ConditionalOnRole("consumer-test-result-notification")
class TestResultNotificationListener {

	private static final Logger log = LoggerFactory.getLogger(TestResultNotificationListener.class);

	private final PlatformEvents events;

	private final TestResultNotices notices;

	TestResultNotificationListener(PlatformEvents events, TestResultNotices notices) {
		this.events = events;
		this.notices = notices;
	}

	@KafkaListener(id = "test-result-notices", topics = "${notification.topics.test-results}",
			groupId = "${notification.results.consumer-group}", containerFactory = "batchListenerContainerFactory",
			batch = "true", concurrency = "${notification.results.concurrency}")
	void on(List<ConsumerRecord<byte[], byte[]>> records) {
		List<IncomingEvent<TestResultReady>> valid = new ArrayList<>(records.size());
		for (int index = 0; index < records.size(); index++) {
			ConsumerRecord<byte[], byte[]> record = records.get(index);
			try {
				valid.add(this.events.read(record, TestResultReady.TYPE, TestResultReady.class));
			}
			catch (InvalidEventException ex) {
				store(valid);
				log.warn(
						"Invalid test-result event at {}-{}@{}, index {} of a batch of {}; the {} before it are stored",
						record.topic(), record.partition(), record.offset(), index, records.size(), valid.size());
				throw new BatchListenerFailedException(ex.getMessage(), ex, index);
			}
		}
		store(valid);
	}

	/** Stores the events in one transaction; a record whose data the database refuses is found and named. */
	private void store(List<IncomingEvent<TestResultReady>> valid) {
		BatchStores.storeFindingRefused(valid, (events) -> {
			int created = this.notices.createNotices(events);
			log.debug("Stored {} new test-result notifications from {} events", created, events.size());
		});
	}

}
