package org.patientplatform.dlq.redrive;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.capture.DeadLetterPayloads;
import org.patientplatform.dlq.capture.OwnTopics;
import org.patientplatform.dlq.capture.StoredMessage;
import org.patientplatform.kit.kafka.DeadLetterHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sends dead-letter entries back: to their original topic (or a target topic only when one is given),
 * with their original key, value and own headers plus {@code dlq-entry-id} and {@code dlq-attempt}, so
 * the origin reports the outcome against the entry. All records are handed to the producer first, then
 * every answer is awaited: the producer answers each within its {@code delivery.timeout.ms}, and a
 * redrive waits for that answer (at least {@code dlq.redrive.send-timeout}), so a record is never
 * reported as failed while it may still go out. Each send that the broker acknowledged is recorded as a
 * redrive and moves its entry to {@code RETRYING}, in the caller's transaction; the caller holds the
 * entries' row locks, which is what makes every entry go out once per claim. Entries whose send failed
 * are left as they were, for the caller to decide ({@link Result#retryLater()} says which may be sent
 * again).
 */
@Component
public class Redriver {

	/** Why an entry that does not exist was not sent. */
	public static final String NO_SUCH_ENTRY = "no such entry";

	/** Why an entry whose original topic is one of the DLQ's own was not sent. */
	public static final String OWN_TOPIC = "its topic is one of the DLQ's own; nothing is redriven there";

	/** Why an entry without an original topic was not sent when no target was given. */
	public static final String NO_TOPIC = "the entry has no original topic; give a target topic";

	/** How the reason begins when an entry was not sent to its original topic, which the broker does not have. */
	private static final String NO_SUCH_TOPIC = "the broker has no topic ";

	/** Why an entry was not handed to the producer: the send timeout had passed (the broker was slow or gone). */
	public static final String NOT_SENT_IN_TIME = "TimeoutException: not sent, the send timeout had passed";

	/** The longest reason {@link #why} gives for a failed send. */
	static final int MAX_WHY = 300;

	/** Why an entry's send has no known result: the producer did not answer in time (it may have gone out). */
	public static final String UNCONFIRMED = "unconfirmed: the producer did not answer in time";

	private static final Logger log = LoggerFactory.getLogger(Redriver.class);

	private static final String INSERT_REDRIVES = """
			INSERT INTO dead_letter_redrive (entry_id, kind, attempt, bulk_id, actor, reason, target_topic,
			    target_partition, target_offset)
			SELECT u.entry_id::uuid, ?, u.attempt, ?::uuid, ?, ?, u.topic, u.part, u.off
			FROM unnest(?::text[], ?::int[], ?::text[], ?::int[], ?::bigint[]) AS u(entry_id, attempt, topic, part, off)
			RETURNING id, entry_id
			""";

	// the state's copy of the first failure is the unresolved age (gauge, alert, report): a resolved entry an operator
	// sends again is unresolved since now, as one that fails again is since that failure
	private static final String MARK_RETRYING = """
			UPDATE dead_letter_state e SET status = 'RETRYING', redrive_id = u.rid, redriven_at = now(), outcome_check_at = NULL,
			    next_attempt_at = NULL, retry_count = e.retry_count + ?, status_reason = ?,
			    first_failed_at = CASE WHEN e.status = 'RESOLVED' THEN now() ELSE e.first_failed_at END,
			    status_changed_at = now(), status_changed_by = ?, updated_at = now()
			FROM unnest(?::uuid[], ?::bigint[]) AS u(id, rid)
			WHERE e.id = u.id
			""";

	private final DeadLetterPayloads payloads;

	private final KafkaTemplate<byte[], byte[]> kafka;

	private final JdbcTemplate jdbc;

	private final MeterRegistry meters;

	private final Duration sendTimeout;

	private final Duration deliveryTimeout;

	private final OwnTopics ownTopics;

	private final TargetTopics topics;

	Redriver(DeadLetterPayloads payloads, ProducerFactory<byte[], byte[]> producers, JdbcTemplate jdbc,
			MeterRegistry meters, RedriveProperties properties, OwnTopics ownTopics, TargetTopics topics) {
		this.payloads = payloads;
		this.ownTopics = ownTopics;
		this.topics = topics;
		// the application's producer, without an observation per record: a redriven record carries the
		// traceparent of the original (stored with its headers), which a span of the redrive would replace;
		// and at bulk volume the span per record cost about as much CPU as the send itself
		this.kafka = new KafkaTemplate<>(producers);
		this.kafka.setObservationEnabled(false);
		this.jdbc = jdbc;
		this.meters = meters;
		this.sendTimeout = properties.sendTimeout();
		this.deliveryTimeout = deliveryTimeout(this.kafka);
	}

	/**
	 * Sends the entries, which the caller has locked ({@code FOR UPDATE}) in the current transaction, and
	 * records each acknowledged send.
	 * @param ids the entries to send
	 * @param request what kind of redrive, where to, by whom and why
	 * @return what was sent and what failed (by entry, with the reason; no payload)
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public Result redriveLocked(List<UUID> ids, Request request) {
		return redriveLoaded(ids, this.payloads.load(ids), request);
	}

	/**
	 * Sends entries the caller has locked and loaded in the current transaction
	 * ({@link DeadLetterPayloads#lockAndLoad}), and records each acknowledged send.
	 * @param ids the entries to send
	 * @param messages what was loaded for them (an id without a message is reported as no such entry)
	 * @param request what kind of redrive, where to, by whom and why
	 * @return what was sent and what failed (by entry, with the reason; no payload)
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public Result redriveLoaded(List<UUID> ids, List<StoredMessage> messages, Request request) {
		Map<UUID, String> failed = new LinkedHashMap<>();
		Set<UUID> retryLater = new LinkedHashSet<>();
		Set<UUID> refused = new LinkedHashSet<>();
		Set<UUID> found = new HashSet<>(messages.size() * 2);
		messages.forEach((m) -> found.add(m.entryId()));
		for (UUID id : ids) {
			if (!found.contains(id)) {
				failed.put(id, NO_SUCH_ENTRY);
			}
		}
		Map<StoredMessage, Sending> sends = new LinkedHashMap<>();
		Map<String, Integer> partitionCounts = new HashMap<>();
		Map<String, @Nullable Boolean> existing = new HashMap<>();
		// with the broker gone each send blocks for the producer's max.block.ms: stop at the deadline
		long deadline = System.nanoTime() + this.sendTimeout.toNanos();
		for (StoredMessage message : messages) {
			if (message.valueOmitted() != null) {
				// no value to send: a record without one is a tombstone, on a compacted topic the key's deletion
				failed.put(message.entryId(), message.valueOmitted());
				continue;
			}
			String topic = (request.targetTopic() != null) ? request.targetTopic() : message.originalTopic();
			if (topic == null || topic.isBlank()) {
				failed.put(message.entryId(), NO_TOPIC);
				continue;
			}
			if (this.ownTopics.contains(topic)) {
				// an entry captured before the capture kept such records raw: refused for good, never sent
				failed.put(message.entryId(), OWN_TOPIC);
				refused.add(message.entryId());
				continue;
			}
			// a target topic was checked when the operator named it; the original one is checked here, once per
			// topic and batch, as the producer would create a missing one (a broker's default) and send to it
			if (request.targetTopic() == null && !existing.containsKey(topic)) {
				existing.put(topic, this.topics.exists(topic, Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
			}
			if (request.targetTopic() == null && Boolean.FALSE.equals(existing.get(topic))) {
				failed.put(message.entryId(), NO_SUCH_TOPIC + topic + "; a redrive does not create topics");
				refused.add(message.entryId());
				continue;
			}
			if (message.unreadable() != null) {
				// not for later: sending it again needs the key back in the configuration
				failed.put(message.entryId(), message.unreadable());
				continue;
			}
			if (System.nanoTime() > deadline) {
				failed.put(message.entryId(), NOT_SENT_IN_TIME);
				retryLater.add(message.entryId());
				continue;
			}
			try {
				Integer partition = topic.equals(message.originalTopic())
						? originalPartition(topic, message.originalPartition(), partitionCounts) : null;
				sends.put(message, new Sending(this.kafka.send(record(topic, partition, message)), System.nanoTime()));
			}
			catch (RuntimeException ex) {
				// the producer refused the record: it was never handed to the broker
				failed.put(message.entryId(), why(refusal(ex)));
				if (refusesTheRecord(ex)) {
					refused.add(message.entryId());
				}
				else {
					retryLater.add(message.entryId());
				}
			}
		}
		List<Acknowledged> acknowledged = new ArrayList<>();
		for (var send : sends.entrySet()) {
			UUID entry = send.getKey().entryId();
			// the producer answers every record within delivery.timeout.ms of taking it: wait for that answer,
			// so a record is never reported as failed while the producer may still deliver it
			long answerBy = Math.max(deadline, send.getValue().takenAt() + this.deliveryTimeout.toNanos());
			try {
				RecordMetadata metadata = send.getValue()
					.future()
					.get(Math.max(0, answerBy - System.nanoTime()), TimeUnit.NANOSECONDS)
					.getRecordMetadata();
				acknowledged.add(new Acknowledged(send.getKey(), metadata));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				failed.put(entry, UNCONFIRMED);
			}
			catch (ExecutionException ex) {
				failed.put(entry, why(rootCause(ex)));
				if (retriable(ex)) {
					retryLater.add(entry);
				}
				else if (refusesTheRecord(ex)) {
					refused.add(entry);
				}
			}
			catch (TimeoutException ex) {
				failed.put(entry, UNCONFIRMED);
			}
		}
		List<Sent> sent = record(acknowledged, request);
		if (!failed.isEmpty()) {
			log.warn("Could not redrive {} of {} entries ({}): {}", failed.size(), ids.size(), request.kind(),
					failed.values().stream().distinct().toList());
		}
		this.meters.counter("dlq.redrives", "kind", request.kind().name(), "result", "sent").increment(sent.size());
		this.meters.counter("dlq.redrives", "kind", request.kind().name(), "result", "failed")
			.increment(failed.size());
		return new Result(sent, failed, retryLater, refused);
	}

	/**
	 * Why the producer or the broker did not take a record, as a job's failures, an entry's status reason and a 409
	 * say it: the exception's simple name and, for Kafka's own exceptions, their message (a size, a topic, a
	 * partition, a time: never the record's key, value or headers), on one line and at most {@link #MAX_WHY}
	 * characters. Another exception's message is left out: it could quote what it was given. (The bare class name
	 * said that a RecordTooLargeException happened, not how large the record was nor what the limit is.)
	 */
	static String why(Throwable failure) {
		String name = failure.getClass().getSimpleName();
		String message = failure.getMessage();
		if (message == null || !failure.getClass().getName().startsWith("org.apache.kafka.")) {
			return name;
		}
		// control characters (a line break, a NUL, which PostgreSQL cannot store) as spaces, and one line
		String line = message.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
		if (line.isEmpty()) {
			return name;
		}
		String why = name + ": " + line;
		if (why.length() <= MAX_WHY) {
			return why;
		}
		int end = Character.isHighSurrogate(why.charAt(MAX_WHY - 2)) ? MAX_WHY - 2 : MAX_WHY - 1;
		return why.substring(0, end) + "\u2026";
	}

	/** True when the reason is that the broker has no such original topic. */
	static boolean isNoSuchTopic(String why) {
		return why.startsWith(NO_SUCH_TOPIC);
	}

	/** True when the producer reports a failure that can pass (broker or leader unavailable, time out). */
	private static boolean retriable(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof RetriableException) {
				return true;
			}
		}
		return false;
	}

	/**
	 * True when Kafka refused the record for what it is, with an error that does not pass by itself (a
	 * topic name it does not allow, a record too large, no authorization): sending it again gets the same.
	 */
	private static boolean refusesTheRecord(Throwable ex) {
		return !retriable(ex) && refusal(ex) instanceof ApiException;
	}

	/** Kafka's own error inside a failed send (the template wraps it), else the exception itself. */
	private static Throwable refusal(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ApiException) {
				return cause;
			}
		}
		return ex;
	}

	private static Throwable rootCause(ExecutionException ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static Duration deliveryTimeout(KafkaTemplate<byte[], byte[]> kafka) {
		Object configured = kafka.getProducerFactory()
			.getConfigurationProperties()
			.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
		long millis = (configured != null) ? Long.parseLong(configured.toString().trim()) : 120_000L;
		return Duration.ofMillis(millis).plusSeconds(2);
	}

	/**
	 * The record's own partition while its topic still has it, else null (the producer's partitioner then
	 * places it by key). A record goes back where it failed, so it keeps the partition its producer chose for
	 * its key whatever that producer's partitioner was (librdkafka's, kcat's or a console producer's differ
	 * from the Java client's): a consumer that relies on one key's records sharing a partition keeps that.
	 */
	private @Nullable Integer originalPartition(String topic, @Nullable Integer partition,
			Map<String, Integer> partitionCounts) {
		if (partition == null || partition < 0) {
			return null;
		}
		int count = partitionCounts.computeIfAbsent(topic, (t) -> this.kafka.partitionsFor(t).size());
		return (partition < count) ? partition : null;
	}

	private ProducerRecord<byte[], byte[]> record(String topic, @Nullable Integer partition, StoredMessage message) {
		RecordHeaders headers = new RecordHeaders();
		for (Header header : message.headers()) {
			// never forward a header of the DLQ contract: the origin writes fresh ones if it fails again
			if (!DeadLetterHeaders.isOwned(header.key())) {
				headers.add(header);
			}
		}
		headers.add(DeadLetterHeaders.ENTRY_ID, message.entryId().toString().getBytes(StandardCharsets.UTF_8));
		headers.add(DeadLetterHeaders.ATTEMPT,
				Integer.toString(message.attempts()).getBytes(StandardCharsets.UTF_8));
		return new ProducerRecord<>(topic, partition, message.key(), message.value(), headers);
	}

	private List<Sent> record(List<Acknowledged> acknowledged, Request request) {
		if (acknowledged.isEmpty()) {
			return List.of();
		}
		Map<UUID, Long> redriveIds = new LinkedHashMap<>();
		this.jdbc.query(INSERT_REDRIVES, (rs) -> {
			redriveIds.put(rs.getObject("entry_id", UUID.class), rs.getLong("id"));
		}, request.kind().name(), (request.bulkId() != null) ? request.bulkId().toString() : null, request.actor(),
				request.reason(),
				acknowledged.stream().map((s) -> s.message().entryId().toString()).toArray(String[]::new),
				acknowledged.stream().map((s) -> s.message().attempts()).toArray(Integer[]::new),
				acknowledged.stream().map((s) -> s.metadata().topic()).toArray(String[]::new),
				acknowledged.stream().map((s) -> s.metadata().partition()).toArray(Integer[]::new),
				acknowledged.stream().map((s) -> s.metadata().offset()).toArray(Long[]::new));
		String[] entryIds = redriveIds.keySet().stream().map(UUID::toString).toArray(String[]::new);
		Long[] rids = redriveIds.values().toArray(Long[]::new);
		this.jdbc.update(MARK_RETRYING, (request.kind() == Kind.AUTOMATIC) ? 1 : 0, statusReason(request),
				request.actor(), entryIds, rids);
		return acknowledged.stream()
			.map((s) -> new Sent(s.message().entryId(), redriveIds.get(s.message().entryId()), s.metadata().topic(),
					s.metadata().partition(), s.metadata().offset()))
			.toList();
	}

	private static String statusReason(Request request) {
		String what = switch (request.kind()) {
			case AUTOMATIC -> "automatic retry";
			case MANUAL -> "redriven by an operator";
			case EDITED -> "edited and redriven by an operator";
			case BULK -> "bulk redrive " + request.bulkId();
		};
		return (request.reason() != null) ? what + ": " + request.reason() : what;
	}

	private record Sending(CompletableFuture<SendResult<byte[], byte[]>> future, long takenAt) {
	}

	private record Acknowledged(StoredMessage message, RecordMetadata metadata) {
	}

	/** Why an entry is sent. */
	public enum Kind {

		/** The retry policy's schedule. */
		AUTOMATIC,

		/** An operator's redrive of one entry. */
		MANUAL,

		/** An operator's edited payload. */
		EDITED,

		/** A bulk redrive job. */
		BULK

	}

	/**
	 * @param kind why
	 * @param targetTopic where to, when not the original topic (only when an operator asked explicitly)
	 * @param actor who asked (the token's subject, or {@code system})
	 * @param reason why, as the operator said
	 * @param bulkId the bulk redrive it belongs to
	 */
	public record Request(Kind kind, @Nullable String targetTopic, String actor, @Nullable String reason,
			@Nullable UUID bulkId) {

		public static Request automatic() {
			return new Request(Kind.AUTOMATIC, null, "system", null, null);
		}

	}

	/**
	 * @param sent the entries sent, now {@code RETRYING}
	 * @param failed the entries not sent, with the reason (never a payload)
	 * @param retryLater the entries of {@code failed} that the producer did not deliver for a reason that
	 * can pass (the broker unavailable, no answer within its delivery timeout, a send not even started in
	 * time): worth sending again later. The others failed for what the entry is (no such entry, no topic,
	 * a record the broker refuses), or have no known result ({@link #UNCONFIRMED}).
	 * @param refused the entries of {@code failed} whose record the broker or the producer refused for what
	 * it is (a topic name Kafka does not allow, a record too large, no authorization to write the topic): the
	 * same record would be refused again, so no automatic retry can succeed
	 */
	public record Result(List<Sent> sent, Map<UUID, String> failed, Set<UUID> retryLater, Set<UUID> refused) {

		public Result {
			sent = List.copyOf(sent);
			failed = Map.copyOf(failed);
			retryLater = Set.copyOf(retryLater);
			refused = Set.copyOf(refused);
		}

		/** A result without entries to send again later. */
		public Result(List<Sent> sent, Map<UUID, String> failed) {
			this(sent, failed, Set.of(), Set.of());
		}

		/** True when a send failed for a reason that can pass (the broker), not for what the entry is. */
		public boolean brokerFailed() {
			return this.failed.values().stream().anyMatch((r) -> !NO_SUCH_ENTRY.equals(r) && !NO_TOPIC.equals(r));
		}

	}

	/**
	 * One redriven record.
	 *
	 * @param entryId the entry
	 * @param redriveId the redrive's id
	 * @param topic where it went
	 * @param partition its partition there
	 * @param offset its offset there
	 */
	public record Sent(UUID entryId, long redriveId, String topic, int partition, long offset) {
	}

}
