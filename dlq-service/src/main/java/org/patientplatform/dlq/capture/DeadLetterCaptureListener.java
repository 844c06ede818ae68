package org.patientplatform.dlq.capture;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.kit.kafka.BatchStores;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;

/**
 * Role {@code consumer-retry-message}: stores every record of {@code dlq.messages.v1}, a poll batch per
 * database transaction. Logs carry coordinates only, never keys or payloads.
 */
@Component
@ConditionalOnRole("consumer-retry-message")
class DeadLetterCaptureListener {

	private static final Logger log = LoggerFactory.getLogger(DeadLetterCaptureListener.class);

	private final DeadLetters deadLetters;

	private final CaptureVolume volume;

	private final OwnTopics ownTopics;

	private final Clock clock;

	DeadLetterCaptureListener(DeadLetters deadLetters, MeterRegistry meters, OwnTopics ownTopics,
			DlqProperties properties) {
		this.deadLetters = deadLetters;
		this.volume = new CaptureVolume(meters, properties.capture().maxVolumeSeries());
		this.ownTopics = ownTopics;
		this.clock = Clock.systemUTC();
	}

	private static String sqlState(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
				return sql.getSQLState();
			}
		}
		return "none";
	}

	@KafkaListener(id = "dlq-capture", topics = "${dlq.topics.messages}", groupId = "${dlq.capture.consumer-group}",
			containerFactory = "captureContainerFactory", concurrency = "${dlq.capture.concurrency:3}")
	void on(List<ConsumerRecord<byte[], byte[]>> records) {
		Instant now = this.clock.instant();
		List<CapturedRecord> captured = new ArrayList<>(records.size());
		for (ConsumerRecord<byte[], byte[]> record : records) {
			CapturedRecord read = CapturedRecord.from(record, now);
			// never retried into the DLQ itself: kept raw with the reason, every header and its bytes
			captured.add((!read.isRaw() && this.ownTopics.contains(read.originalTopic()))
					? read.asRaw(record, "not a failed record of another service: its original topic "
							+ this.ownTopics.reason(Objects.requireNonNull(read.originalTopic())))
					: read);
		}
		try {
			// a record whose data the database refuses (a NUL in a header's text, a date it cannot store) is
			// kept as a raw entry with every header: it neither stalls the partition nor is lost
			BatchStores.storeFindingRefused(captured, this.deadLetters::capture, (index, state) -> {
				ConsumerRecord<byte[], byte[]> record = records.get(index);
				log.warn("The database refused the dead-letter record at {}-{}@{} (SQL state {}); stored raw",
						record.topic(), record.partition(), record.offset(), state);
				String reason = "the database refused this failed-record message (SQL state " + state
						+ "); stored raw with every header, base64";
				// with what the failure says (service, group, error), so searches, metrics and the report find it
				// under its service; should the database refuse that too, with the record's bytes alone
				CapturedRecord raw = captured.get(index).asRaw(record, reason);
				try {
					this.deadLetters.capture(List.of(raw));
				}
				catch (RuntimeException refusedAgain) {
					if (BatchStores.refusedState(refusedAgain) == null) {
						throw refusedAgain;
					}
					raw = CapturedRecord.refused(record, now, reason);
					this.deadLetters.capture(List.of(raw));
				}
				captured.set(index, raw);
			});
		}
		catch (BatchListenerFailedException ex) {
			// the database went away while the records were stored one by one: those before are stored
			throw ex;
		}
		catch (RuntimeException ex) {
			// the SQL state says what failed; database messages can quote values, so they stay out of the log
			log.warn("Could not store a batch of {} dead-letter records, it will be retried: {} (SQL state {})",
					records.size(), ex.getClass().getSimpleName(), sqlState(ex));
			// failed at its first record: the error handler seeks the partitions back to this batch and the
			// next poll delivers it again after the backoff, with nothing committed. Not retried in memory: a
			// rebalance during an in-memory retry leaves newly assigned partitions unpaused, and the retry
			// loop's polls would fetch and drop their records.
			throw new BatchListenerFailedException("Could not store the batch", ex, 0);
		}
		this.volume.count(captured);
		long raw = captured.stream().filter(CapturedRecord::isRaw).count();
		if (raw > 0) {
			log.warn("Stored {} records of {} that are not failed-record messages as raw entries", raw,
					records.size());
		}
		log.debug("Captured {} dead-letter records", records.size());
	}

}
