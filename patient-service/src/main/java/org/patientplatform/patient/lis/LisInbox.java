package org.patientplatform.patient.lis;

import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.consumption.ProcessedMessages;
import org.patientplatform.patient.orders.TestOrders;
import org.patientplatform.patient.records.Patients;
import org.patientplatform.patient.records.RecordDemographics;

import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies each LIS message once per consumer group: the message control id (MSH-10) is claimed in
 * platform-kit's {@code processed_message} table in the same transaction as the effect and the events
 * it appends to the outbox, so a redelivered or redriven message changes nothing and publishes nothing,
 * and a failed effect leaves the message unclaimed and publishes nothing.
 */
@Component
class LisInbox {

	/** Why a message is kept: no feature handles its type yet. */
	static final String UNHANDLED_TYPE = "unhandled type";

	/** Why a message is kept: an order or result for an MRN that is not registered (yet). */
	static final String UNKNOWN_PATIENT = "unknown patient";

	private final JdbcClient jdbc;

	private final ProcessedMessages processed;

	private final AuditLog audit;

	private final Patients patients;

	private final TestOrders orders;

	private final String consumerGroup;

	LisInbox(JdbcClient jdbc, Patients patients, TestOrders orders, LisProperties properties,
			ProcessedMessages processed, AuditLog audit) {
		this.audit = audit;
		this.jdbc = jdbc;
		this.processed = processed;
		this.patients = patients;
		this.orders = orders;
		this.consumerGroup = properties.consumerGroup();
	}

	/** What accepting a message did; safe to log (ids and counts only). */
	sealed interface Outcome {

		record Duplicate() implements Outcome {
		}

		record Recorded(RecordDemographics.Recorded recorded) implements Outcome {
		}

		record OrdersApplied(TestOrders.Outcome.Applied applied) implements Outcome {
		}

		record Kept(String reason) implements Outcome {
		}

	}

	/**
	 * Applies the message, or keeps it when no feature handles its type or its patient is unknown.
	 * @throws org.patientplatform.patient.orders.TestOrderConflictException when it names an order of
	 * another patient (nothing is applied)
	 */
	@Transactional
	Outcome accept(LisMessage message, ConsumerRecord<?, ?> source) {
		if (!this.processed.markProcessed(this.consumerGroup, message.header().controlId())) {
			return new Outcome.Duplicate();
		}
		return switch (message) {
			case LisMessage.Demographics demographics -> {
				RecordDemographics.Recorded recorded = this.patients.record(demographics.command());
				// a change of patient data from the LIS is audited like one through the API (actor: system)
				this.audit.record("lis-" + recorded.outcome().name().toLowerCase(), "patient",
						recorded.patientId().value().toString(), "OK", "HL7 " + demographics.header().controlId());
				yield new Outcome.Recorded(recorded);
			}
			case LisMessage.Orders orders -> applied(this.orders.link(orders.command()), orders.header(),
					orders.er7(), source);
			case LisMessage.Results results ->
				applied(this.orders.record(results.command(), Instant.ofEpochMilli(source.timestamp())),
						results.header(), results.er7(), source);
			case LisMessage.Unhandled unhandled -> keep(unhandled.header(), unhandled.er7(), UNHANDLED_TYPE, source);
		};
	}

	private Outcome applied(TestOrders.Outcome outcome, LisMessage.Header header, String er7,
			ConsumerRecord<?, ?> source) {
		return switch (outcome) {
			case TestOrders.Outcome.Applied applied -> new Outcome.OrdersApplied(applied);
			case TestOrders.Outcome.UnknownPatient unknown -> keep(header, er7, UNKNOWN_PATIENT, source);
		};
	}

	private Outcome keep(LisMessage.Header header, String er7, String reason, ConsumerRecord<?, ?> source) {
		this.jdbc.sql("""
				INSERT INTO lis_unhandled_message (id, consumer_group, message_control_id, message_type, hl7_version,
				    message_time, source_topic, source_partition, source_offset, er7, reason)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				""")
			.params(UUID.randomUUID(), this.consumerGroup, header.controlId(), header.type(),
					new SqlParameterValue(Types.VARCHAR, header.version()),
					new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
							(header.sentAt() != null) ? header.sentAt().atOffset(ZoneOffset.UTC) : null),
					source.topic(), source.partition(), source.offset(), er7, reason)
			.update();
		return new Outcome.Kept(reason);
	}

}
