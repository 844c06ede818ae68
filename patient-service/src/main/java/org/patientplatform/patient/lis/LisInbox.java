package org.patientplatform.patient.lis;

import java.sql.Types;
import java.time.ZoneOffset;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.patient.records.Patients;
import org.patientplatform.patient.records.RecordDemographics;

import org.patientplatform.kit.consumption.ProcessedMessages;

import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies each LIS message once per consumer group: the message control id (MSH-10) is claimed in
 * platform-kit's {@code processed_message} table in the same transaction as the effect, so a redelivered
 * or redriven message changes nothing, and a failed effect leaves the message unclaimed.
 */
@Component
class LisInbox {

	private final JdbcClient jdbc;

	private final ProcessedMessages processed;

	private final Patients patients;

	private final String consumerGroup;

	LisInbox(JdbcClient jdbc, Patients patients, LisProperties properties, ProcessedMessages processed) {
		this.jdbc = jdbc;
		this.processed = processed;
		this.patients = patients;
		this.consumerGroup = properties.consumerGroup();
	}

	/** What accepting a message did; safe to log (ids only). */
	sealed interface Outcome {

		record Duplicate() implements Outcome {
		}

		record Recorded(RecordDemographics.Recorded recorded) implements Outcome {
		}

		record Kept() implements Outcome {
		}

	}

	@Transactional
	Outcome accept(LisMessage message, ConsumerRecord<?, ?> source) {
		if (!this.processed.markProcessed(this.consumerGroup, message.header().controlId())) {
			return new Outcome.Duplicate();
		}
		return switch (message) {
			case LisMessage.Demographics demographics ->
				new Outcome.Recorded(this.patients.record(demographics.command()));
			case LisMessage.Unhandled unhandled -> {
				keep(unhandled, source);
				yield new Outcome.Kept();
			}
		};
	}

	private void keep(LisMessage.Unhandled message, ConsumerRecord<?, ?> source) {
		LisMessage.Header header = message.header();
		this.jdbc.sql("""
				INSERT INTO lis_unhandled_message (id, consumer_group, message_control_id, message_type, hl7_version,
				    message_time, source_topic, source_partition, source_offset, er7)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				""")
			.params(UUID.randomUUID(), this.consumerGroup, header.controlId(), header.type(),
					new SqlParameterValue(Types.VARCHAR, header.version()),
					new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
							(header.sentAt() != null) ? header.sentAt().atOffset(ZoneOffset.UTC) : null),
					source.topic(), source.partition(), source.offset(), message.er7())
			.update();
	}

}
