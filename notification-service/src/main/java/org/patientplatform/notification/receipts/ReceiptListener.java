package org.patientplatform.notification.receipts;

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
 * Role {@code consumer-notification-update}: reads notification.status.v1 a whole poll
 * at a time and applies its receipts in one transaction. A record that is not a valid
 * DeliveryStatusReported goes to the DLQ alone (the ones before it are applied first).
 */
@Component
@ConditionalOnRole("consumer-notification-update")
class ReceiptListener {

	private static final Logger log = LoggerFactory.getLogger(ReceiptListener.class);

	private final PlatformEvents events;

	private final Receipts receipts;

	ReceiptListener(PlatformEvents events, Receipts receipts) {
		this.events = events;
		this.receipts = receipts;
	}

	@KafkaListener(id = "delivery-receipts", topics = "${notification.receipts.status-topic}",
			groupId = "${notification.receipts.consumer-group}", containerFactory = "batchListenerContainerFactory",
			batch = "true", concurrency = "${notification.receipts.concurrency}")
	void on(List<ConsumerRecord<byte[], byte[]>> records) {
		List<IncomingEvent<DeliveryStatusReported>> valid = new ArrayList<>(records.size());
		for (int index = 0; index < records.size(); index++) {
			ConsumerRecord<byte[], byte[]> record = records.get(index);
			try {
				valid.add(this.events.read(record, DeliveryStatusReported.TYPE, DeliveryStatusReported.class));
			}
			catch (InvalidEventException ex) {
				apply(valid);
				log.warn("Invalid receipt at {}-{}@{}, index {} of a batch of {}", record.topic(), record.partition(),
						record.offset(), index, records.size());
				throw new BatchListenerFailedException(ex.getMessage(), ex, index);
			}
		}
		apply(valid);
	}

	/** Applies the receipts in one transaction; a record whose data the database refuses is found and named. */
	private void apply(List<IncomingEvent<DeliveryStatusReported>> valid) {
		BatchStores.storeFindingRefused(valid, (events) -> {
			int applied = this.receipts.apply(events);
			log.debug("Applied {} of {} receipts", applied, events.size());
		});
	}

}
