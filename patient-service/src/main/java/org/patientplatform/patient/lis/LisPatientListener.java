package org.patientplatform.patient.lis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.patient.orders.TestOrderConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Role {@code consumer-lis-patient}: reads each HL7 message of {@code lis.inbound.v1} (key: the MRN,
 * value: ER7 text, not a CloudEvent; or an HL7 batch of messages, each applied on its own: {@link Hl7Batch}) and
 * records it, with the events it publishes through the outbox. A
 * message that can never be read, or that names an order of another patient, is thrown as
 * {@code InvalidEventException} (nothing of it is applied or published), and platform-kit dead-letters
 * it without retries; database failures are retried by the kit, then dead-lettered. Logs carry
 * coordinates, message type, control id, patient id and counts only.
 */
@Component
@ConditionalOnRole("consumer-lis-patient")
class LisPatientListener {

	private static final Logger log = LoggerFactory.getLogger(LisPatientListener.class);

	/** The refusals of a batch's messages its dead letter's reason lists; the rest are counted. */
	private static final int MOST_REASONS = 10;

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
		List<byte[]> batch;
		try {
			batch = Hl7Batch.messages(record.value());
		}
		catch (InvalidEventException ex) {
			this.metrics.count("unreadable", "rejected");
			throw ex;
		}
		if (batch == null) {
			accept(record.value(), record, "");
			return;
		}
		// each message of a batch is applied on its own, in order, once (a redelivered or redriven batch applies only
		// those not applied yet); one that is refused does not hold back the others, and the record is dead-lettered
		// once they are done, with each refusal's reason
		List<String> refused = new ArrayList<>();
		for (int i = 0; i < batch.size(); i++) {
			String where = " (message " + (i + 1) + " of " + batch.size() + " in the record)";
			try {
				accept(batch.get(i), record, where);
			}
			catch (InvalidEventException ex) {
				refused.add("message " + (i + 1) + ": " + ex.getMessage());
			}
		}
		log.info("HL7 batch at {}-{}@{}: {} messages, {} refused", record.topic(), record.partition(), record.offset(),
				batch.size(), refused.size());
		if (!refused.isEmpty()) {
			String reasons = String.join("; ", refused.subList(0, Math.min(refused.size(), MOST_REASONS)))
					+ ((refused.size() > MOST_REASONS) ? "; and " + (refused.size() - MOST_REASONS) + " more" : "");
			throw new InvalidEventException("LIS record is an HL7 batch of " + batch.size() + " messages; " + refused.size()
					+ " refused, the others applied (sent again, the batch applies only what was refused): " + reasons);
		}
	}

	/** Reads and applies one message of the record ({@code where}: which, in a batch, for the log). */
	private void accept(byte @Nullable [] value, ConsumerRecord<byte[], byte[]> record, String where) {
		LisMessage message;
		// unreadable until its message type is read; a message of a type this service reads is refused as that type
		String[] refusedAs = { "unreadable" };
		try {
			message = this.reader.read(value, (messageType) -> refusedAs[0] = LisMetrics.refusedType(messageType));
		}
		catch (InvalidEventException ex) {
			this.metrics.count(refusedAs[0], "rejected");
			throw ex;
		}
		LisMessage.Header header = message.header();
		String type = LisMetrics.type(message);
		LisInbox.Outcome outcome;
		try {
			outcome = this.inbox.accept(message, (value != null) ? value : new byte[0], record);
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
			case LisInbox.Outcome.Merged merged -> "merged";
			case LisInbox.Outcome.Kept kept -> (message instanceof LisMessage.Unhandled) ? "kept" : "parked";
		});
		String at = record.topic() + "-" + record.partition() + "@" + record.offset() + where;
		switch (outcome) {
			case LisInbox.Outcome.Duplicate duplicate -> log.info("{} {} at {} was already processed",
					header.type(), header.controlId(), at);
			case LisInbox.Outcome.Recorded recorded -> log.info("{} {} at {}: patient {} {}, {} parked messages replayed",
					header.type(), header.controlId(), at, recorded.recorded().patientId(), recorded.recorded().outcome(),
					recorded.replayed());
			case LisInbox.Outcome.OrdersApplied applied -> log.info("{} {} at {}: {} orders, {} results released",
					header.type(), header.controlId(), at, applied.applied().orders(), applied.applied().released());
			case LisInbox.Outcome.Merged merged -> log.info("{} {} at {}: {} patients merged, {} tests moved, {} parked "
					+ "messages replayed", header.type(), header.controlId(), at, merged.merged(), merged.testsMoved(),
					merged.replayed());
			case LisInbox.Outcome.Kept kept -> log.info("{} {} at {} kept unhandled ({})", header.type(),
					header.controlId(), at, kept.reason());
		}
	}

}
