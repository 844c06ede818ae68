package org.patientplatform.patient.lis;

import java.util.Locale;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.patient.orders.TestOrderConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Role {@code consumer-lis-patient}: reads each HL7 message of {@code lis.inbound.v1} (key: the MRN,
 * value: ER7 text, not a CloudEvent) and records it, with the events it publishes through the outbox. A
 * message that can never be read, or that names an order of another patient, is thrown as
 * {@code InvalidEventException} (nothing of it is applied or published), and platform-kit dead-letters
 * it without retries; database failures are retried by the kit, then dead-lettered. Logs carry
 * coordinates, message type, control id, patient id and counts only.
 */
@Component
@ConditionalOnRole("consumer-lis-patient")
class LisPatientListener {

	private static final Logger log = LoggerFactory.getLogger(LisPatientListener.class);

	private final Hl7MessageReader reader;

	private final LisInbox inbox;

	private final LisMetrics metrics;

	LisPatientListener(Hl7MessageReader reader, LisInbox inbox, LisMetrics metrics) {
		this.reader = reader;
		this.inbox = inbox;
		this.metrics = metrics;
	}

	@KafkaListener(id = "lis-patient", topics = "${patient.lis.topic}", groupId = "${patient.lis.consumer-group}")
	void on(ConsumerRecord<byte[], byte[]> record) {
		LisMessage message;
		// unreadable until its message type is read; a message of a type this service reads is refused as that type
		String[] refusedAs = { "unreadable" };
		try {
			message = this.reader.read(record.value(), (messageType) -> refusedAs[0] = LisMetrics.refusedType(messageType));
		}
		catch (InvalidEventException ex) {
			this.metrics.count(refusedAs[0], "rejected");
			throw ex;
		}
		LisMessage.Header header = message.header();
		String type = LisMetrics.type(message);
		LisInbox.Outcome outcome;
		try {
			outcome = this.inbox.accept(message, record);
		}
		catch (TestOrderConflictException ex) {
			// rolled back already; the LIS must settle which patient the order is for
			this.metrics.count(type, "rejected");
			throw new InvalidEventException("HL7 message " + header.type() + " (control id " + header.controlId()
					+ ") names an order that is linked to another patient");
		}
		catch (InvalidEventException ex) {
			this.metrics.count(type, "rejected");
			throw ex;
		}
		this.metrics.count(type, switch (outcome) {
			case LisInbox.Outcome.Duplicate duplicate -> "duplicate";
			case LisInbox.Outcome.Recorded recorded -> recorded.recorded().outcome().name().toLowerCase(Locale.ROOT);
			case LisInbox.Outcome.OrdersApplied applied -> "applied";
			case LisInbox.Outcome.Kept kept -> (message instanceof LisMessage.Unhandled) ? "kept" : "parked";
		});
		switch (outcome) {
			case LisInbox.Outcome.Duplicate duplicate -> log.info("{} {} at {}-{}@{} was already processed",
					header.type(), header.controlId(), record.topic(), record.partition(), record.offset());
			case LisInbox.Outcome.Recorded recorded -> log.info("{} {} at {}-{}@{}: patient {} {}, {} parked messages replayed",
					header.type(), header.controlId(), record.topic(), record.partition(), record.offset(),
					recorded.recorded().patientId(), recorded.recorded().outcome(), recorded.replayed());
			case LisInbox.Outcome.OrdersApplied applied -> log.info("{} {} at {}-{}@{}: {} orders, {} results released",
					header.type(), header.controlId(), record.topic(), record.partition(), record.offset(),
					applied.applied().orders(), applied.applied().released());
			case LisInbox.Outcome.Kept kept -> log.info("{} {} at {}-{}@{} kept unhandled ({})", header.type(),
					header.controlId(), record.topic(), record.partition(), record.offset(), kept.reason());
		}
	}

}
