package org.patientplatform.patient.lis;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.audit.AuditLog;
import org.patientplatform.kit.consumption.KeyLocks;
import org.patientplatform.kit.consumption.ProcessedMessages;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.patient.orders.LinkTestOrders;
import org.patientplatform.patient.orders.RecordTestResults;
import org.patientplatform.patient.orders.TestOrderConflictException;
import org.patientplatform.patient.orders.TestOrders;
import org.patientplatform.patient.records.PatientId;
import org.patientplatform.patient.records.Patients;
import org.patientplatform.patient.records.RecordDemographics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies each LIS message once per consumer group: the message control id (MSH-10), with its sender
 * (MSH-3 and MSH-4: control ids are unique per sender), is claimed in
 * platform-kit's {@code processed_message} table in the same transaction as the effect and the events
 * it appends to the outbox, so a redelivered or redriven message changes nothing and publishes nothing,
 * and a failed effect leaves the message unclaimed and publishes nothing.
 *
 * <p>An order or result message naming an MRN that is not registered is parked, with the MRNs it names,
 * and replayed in the transaction that records that MRN's demographics: a result that arrived before its
 * patient's registration is then recorded, and its {@code TestResultReady} published, as if it had come
 * after. Each replay runs under a savepoint: one that names an order of another patient stays parked
 * (reason {@value #ORDER_CONFLICT}) and never blocks the registration.
 */
@Component
class LisInbox {

	/** Why a message is kept: no feature handles its type yet. */
	static final String UNHANDLED_TYPE = "unhandled type";

	/** Why a message is kept: an order or result for an MRN that is not registered (yet). */
	static final String UNKNOWN_PATIENT = "unknown patient";

	/** Why a parked message stays: replayed, it named an order linked to another patient. */
	static final String ORDER_CONFLICT = "order of another patient";

	/**
	 * Why a parked message stays: read again to be replayed, the reader refuses it (a rule it did not have when the
	 * message was parked: an order number holding a control character).
	 */
	static final String REFUSED_ON_REPLAY = "refused on replay";

	/**
	 * The control ids taken before V7, when a message was claimed by its control id alone: 1 to 64 letters, digits or
	 * {@code . _ - ^} (none holds the # of a claim of today, control id # digest).
	 */
	private static final Pattern BEFORE_DIGESTS = Pattern.compile("[A-Za-z0-9_.\\-^]{1,64}");

	private static final Logger log = LoggerFactory.getLogger(LisInbox.class);

	private final JdbcClient jdbc;

	private final ProcessedMessages processed;

	private final AuditLog audit;

	private final Patients patients;

	private final TestOrders orders;

	private final String consumerGroup;

	private final Hl7MessageReader reader;

	private final TransactionTemplate savepoint;

	private final MrnChooser mrnChooser;

	LisInbox(JdbcClient jdbc, Patients patients, TestOrders orders, LisProperties properties,
			ProcessedMessages processed, AuditLog audit, Hl7MessageReader reader,
			PlatformTransactionManager transactions, MrnChooser mrnChooser) {
		this.mrnChooser = mrnChooser;
		this.audit = audit;
		this.reader = reader;
		this.savepoint = new TransactionTemplate(transactions);
		this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
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

		/** @param replayed parked messages of the patient applied with it */
		record Recorded(RecordDemographics.Recorded recorded, int replayed) implements Outcome {
		}

		record OrdersApplied(TestOrders.Outcome.Applied applied) implements Outcome {
		}

		/**
		 * @param merged patients merged into others now (a merge applied before, or of an MRN not registered, is none)
		 * @param testsMoved their tests, moved to the patients they were merged into
		 * @param replayed parked messages applied with the merge: a surviving patient's it registered, and those of an
		 * MRN unknown here until it was merged
		 */
		record Merged(int merged, int testsMoved, int replayed) implements Outcome {
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
	Outcome accept(LisMessage message, byte[] bytes, ConsumerRecord<?, ?> source) {
		// a message is its sender's control id and what it says (LisDigest of its bytes: the record's, or its own
		// in a batch): a LIS that counts its control ids again from 1 sends other messages under ids used before,
		// and those were dropped as duplicates
		String digest = LisDigest.of(bytes);
		if (processedBeforeDigests(message.header()) || !this.processed.markProcessed(this.consumerGroup,
				message.header().sender(), message.header().controlId() + "#" + digest)) {
			return new Outcome.Duplicate();
		}
		// parking a message for want of a patient and registering that patient take the same lock, so a message
		// parked while its patient is registered (their records on two partitions) is still replayed
		KeyLocks.lock(this.jdbc, "lis-mrn", mrns(message));
		requireSameChoices(message);
		requireSameAuthorities(message);
		Outcome outcome = switch (message) {
			case LisMessage.Demographics demographics -> {
				RecordDemographics.Recorded recorded = this.patients.record(demographics.command());
				// a change of patient data from the LIS is audited like one through the API (actor: system)
				this.audit.record("lis-" + recorded.outcome().name().toLowerCase(), "patient",
						recorded.patientId().value().toString(), "OK", "HL7 " + demographics.header().controlId());
				int replayed = (recorded.outcome() != RecordDemographics.Outcome.STALE)
						? replayParked(demographics.command().mrn()) : 0;
				yield new Outcome.Recorded(recorded, replayed);
			}
			// parked, it waits for any of its MR identifiers' patients: one registered under another of them (an
			// MRN chosen from a message that named only it, or while this one waited) is this message's patient too
			case LisMessage.Orders orders -> applied(this.orders.link(orders.command()), orders.header(), digest,
					orders.er7(), Stream.concat(orders.command().orders().stream().map(LinkTestOrders.Order::mrn),
							candidates(orders)), source);
			case LisMessage.Results results ->
				applied(this.orders.record(results.command(), Instant.ofEpochMilli(source.timestamp())),
						results.header(), digest, results.er7(), Stream.concat(
								results.command().results().stream().map(RecordTestResults.Result::mrn),
								candidates(results)), source);
			case LisMessage.Merge merge -> merge(merge);
			case LisMessage.Unhandled unhandled ->
				keep(unhandled.header(), digest, unhandled.er7(), UNHANDLED_TYPE, null, source);
		};
		this.patients.adoptAuthorities(message.authorities());
		return outcome;
	}

	/**
	 * Makes again, under the locks of every MRN they name, the choices the reader made among several MR identifiers of
	 * a PID-3 or MRG-1 ({@link MrnChooser}): a message about the same person registered under another of them while
	 * this one was read (on another partition: the LIS keys its records by the MRN it puts first) would otherwise be
	 * applied to a second patient.
	 * @throws MrnChoiceChangedException (retried: read again, the message chooses the patient now registered) when
	 * one chooses otherwise now
	 * @throws InvalidEventException when they name two patients now
	 */
	private void requireSameChoices(LisMessage message) {
		for (MrnChooser.Choice choice : message.choices()) {
			if (this.mrnChooser.choose(choice.candidates(), message.header(), choice.field()) != choice.chosen()) {
				throw new MrnChoiceChangedException("HL7 message " + message.header().type() + " (control id "
						+ message.header().controlId() + ") names in its " + choice.field()
						+ " a patient registered under another of its MR identifiers while it was read: read again");
			}
		}
	}

	/**
	 * A message whose MRN was chosen among several MR identifiers before a patient was registered under another of
	 * them: retried by the kit, it is read again and chooses that patient.
	 */
	static final class MrnChoiceChangedException extends RuntimeException {

		MrnChoiceChangedException(String message) {
			super(message);
		}

	}

	/** Every MRN of the MR identifiers the reader chose among (a message's candidates to lock and to park under). */
	private static Stream<String> candidates(LisMessage message) {
		return message.choices()
			.stream()
			.flatMap((choice) -> choice.candidates().stream())
			.map(MrnChooser.Candidate::mrn);
	}

	/**
	 * Refuses a message that names an MRN under another assigning authority (CX-4) than the one its patient was
	 * registered with: two labs may each have an MRN-5003, and the second one's demographics, orders and results were
	 * applied to the first one's patient (ADR 0025). The reason names the authorities, never the MRN.
	 * @throws InvalidEventException (dead-lettered, never retried) when one does
	 */
	private void requireSameAuthorities(LisMessage message) {
		Map<String, String> conflicts = this.patients.authorityConflicts(message.authorities());
		if (!conflicts.isEmpty()) {
			Map.Entry<String, String> conflict = conflicts.entrySet().iterator().next();
			throw new InvalidEventException("HL7 message " + message.header().type() + " (control id "
					+ message.header().controlId() + ") names a patient identifier assigned by "
					+ message.authorities().get(conflict.getKey()).told()
					+ " (CX-4), which this service's patient has from " + conflict.getValue()
					+ ": another authority's patient is not applied to them");
		}
	}

	/**
	 * Applies each merge of an ADT^A40 in order: the surviving patient's demographics are recorded (registering
	 * them if need be, and replaying what was parked for them), then the patient of the prior MRN is merged into
	 * them and their tests move with them. A prior MRN not registered is recorded as merged (there is nothing else of
	 * it here): the messages parked for it are replayed as the survivor's, and so are those to come.
	 * @throws org.patientplatform.patient.records.PatientMergedException when the survivor, or the prior patient,
	 * was merged into another patient before (the message is refused whole)
	 */
	private Outcome merge(LisMessage.Merge merge) {
		int merged = 0;
		int moved = 0;
		int replayed = 0;
		for (LisMessage.Merge.Merged each : merge.merges()) {
			RecordDemographics.Recorded survivor = this.patients.record(each.survivor());
			this.audit.record("lis-" + survivor.outcome().name().toLowerCase(), "patient",
					survivor.patientId().value().toString(), "OK", "HL7 " + merge.header().controlId());
			if (survivor.outcome() != RecordDemographics.Outcome.STALE) {
				replayed += replayParked(each.survivor().mrn());
			}
			Optional<PatientId> prior = this.patients.merge(each.priorMrn(), survivor.patientId(),
					merge.header().controlId());
			if (prior.isPresent()) {
				merged++;
				moved += this.orders.moveToSurvivor(prior.get(), survivor.patientId());
				this.audit.record("lis-merged", "patient", prior.get().value().toString(), "OK",
						"into " + survivor.patientId() + ", HL7 " + merge.header().controlId());
			}
			// orders and results parked for the prior MRN, unknown here until now, are the survivor's
			replayed += replayParked(each.priorMrn());
		}
		return new Outcome.Merged(merged, moved, replayed);
	}

	/**
	 * The MRNs a message names, and every MR identifier's a choice was made among ({@link MrnChooser}): what it locks
	 * while it is applied.
	 */
	private static List<String> mrns(LisMessage message) {
		return Stream.concat(named(message).stream(), candidates(message)).distinct().toList();
	}

	private static List<String> named(LisMessage message) {
		return switch (message) {
			case LisMessage.Demographics demographics -> List.of(demographics.command().mrn());
			case LisMessage.Orders orders -> orders.command().orders().stream().map(LinkTestOrders.Order::mrn).toList();
			case LisMessage.Results results ->
				results.command().results().stream().map(RecordTestResults.Result::mrn).toList();
			case LisMessage.Merge merge -> merge.merges()
				.stream()
				.flatMap((merged) -> Stream.of(merged.survivor().mrn(), merged.priorMrn()))
				.toList();
			case LisMessage.Unhandled unhandled -> List.<String>of();
		};
	}

	/**
	 * A message claimed by its control id alone, before messages were told apart by what they say (patient V7):
	 * delivered again across the upgrade, it is still a duplicate.
	 */
	private boolean processedBeforeDigests(LisMessage.Header header) {
		if (!BEFORE_DIGESTS.matcher(header.controlId()).matches()) {
			// a control id that was refused then was never claimed alone; and one holding a # would be taken for
			// the claim of another message (its control id, #, its digest)
			return false;
		}
		return Boolean.TRUE.equals(this.jdbc.sql("""
				SELECT EXISTS (SELECT 1 FROM processed_message
				               WHERE consumer_group = ? AND source IN (?, '') AND event_id = ?)
				""").params(this.consumerGroup, header.sender(), header.controlId()).query(Boolean.class).single());
	}

	private Outcome applied(TestOrders.Outcome outcome, LisMessage.Header header, String digest, String er7,
			Stream<String> mrns, ConsumerRecord<?, ?> source) {
		return switch (outcome) {
			case TestOrders.Outcome.Applied applied -> new Outcome.OrdersApplied(applied);
			case TestOrders.Outcome.UnknownPatient unknown -> keep(header, digest, er7, UNKNOWN_PATIENT,
					mrns.distinct().toArray(String[]::new), source);
		};
	}

	/** @param digest what the message says ({@link LisDigest}), with the control id the kept message's key */
	private Outcome keep(LisMessage.Header header, String digest, String er7, String reason, String @Nullable [] mrns,
			ConsumerRecord<?, ?> source) {
		this.jdbc.sql("""
				INSERT INTO lis_unhandled_message (id, consumer_group, sender, message_control_id, content_digest,
				    message_type, hl7_version, message_time, source_topic, source_partition, source_offset, er7, reason,
				    mrns, source_timestamp)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				""")
			.params(UUID.randomUUID(), this.consumerGroup, header.sender(), header.controlId(), digest, header.type(),
					new SqlParameterValue(Types.VARCHAR, header.version()),
					new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
							(header.sentAt() != null) ? header.sentAt().atOffset(ZoneOffset.UTC) : null),
					source.topic(), source.partition(), source.offset(), er7, reason,
					new SqlParameterValue(Types.ARRAY, mrns),
					new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
							Instant.ofEpochMilli(source.timestamp()).atOffset(ZoneOffset.UTC)))
			.update();
		return new Outcome.Kept(reason);
	}


	/**
	 * Applies the messages parked for this MRN, oldest first (by MSH-7, then arrival), each under a
	 * savepoint; an applied one is deleted (its ER7 text is not kept longer than needed). A message that
	 * names another patient still unknown stays parked, to be replayed with that patient.
	 * @return how many were applied
	 */
	private int replayParked(String mrn) {
		List<Parked> parked = this.jdbc.sql("""
				SELECT id, message_control_id, message_type, er7, COALESCE(source_timestamp, received_at) AS received
				FROM lis_unhandled_message
				WHERE reason = ? AND mrns @> ARRAY[?]::text[] AND consumer_group = ?
				ORDER BY message_time NULLS LAST, received_at
				FOR UPDATE
				""")
			.params(UNKNOWN_PATIENT, mrn, this.consumerGroup)
			.query((rs, n) -> new Parked(rs.getObject("id", UUID.class), rs.getString("message_control_id"),
					rs.getString("message_type"), rs.getString("er7"), rs.getTimestamp("received")))
			.list();
		int applied = 0;
		for (Parked message : parked) {
			String result;
			try {
				result = this.savepoint.execute((status) -> replay(message));
			}
			catch (TestOrderConflictException ex) {
				keepFor(ORDER_CONFLICT, message.id());
				log.warn("Parked {} {} names an order linked to another patient; it stays parked ({})", message.type(),
						message.controlId(), ORDER_CONFLICT);
				continue;
			}
			catch (InvalidEventException ex) {
				// its refusal would roll back the registration that replays it, and dead-letter that: it stays, to
				// be settled by hand (the reader's reasons name no patient data)
				keepFor(REFUSED_ON_REPLAY, message.id());
				log.warn("Parked {} {} is refused now that it is replayed; it stays parked ({}): {}", message.type(),
						message.controlId(), REFUSED_ON_REPLAY, ex.getMessage());
				continue;
			}
			if (result != null) {
				applied++;
				log.info("Parked {} {} replayed: {}", message.type(), message.controlId(), result);
			}
		}
		return applied;
	}

	/**
	 * Applies the ADT^A40 merges kept as "unhandled type" before this service handled merges, oldest first (by
	 * MSH-7, then arrival), each under a savepoint, and deletes each one applied. One the reader or the merge refuses
	 * (a patient merged into another before) stays, with reason {@value #REFUSED_ON_REPLAY}, to be settled by hand.
	 * Run once by the consumer role when it starts ({@link KeptMergeReplay}); none is kept any more, so later runs
	 * find nothing.
	 * @return how many were applied
	 */
	@Transactional
	int replayKeptMerges() {
		List<Parked> kept = this.jdbc.sql("""
				SELECT id, message_control_id, message_type, er7, COALESCE(source_timestamp, received_at) AS received
				FROM lis_unhandled_message
				WHERE reason = ? AND message_type IN ('ADT^A40', 'ADT^A34', 'ADT^A36') AND consumer_group = ?
				ORDER BY message_time NULLS LAST, received_at
				FOR UPDATE SKIP LOCKED
				""")
			.params(UNHANDLED_TYPE, this.consumerGroup)
			.query((rs, n) -> new Parked(rs.getObject("id", UUID.class), rs.getString("message_control_id"),
					rs.getString("message_type"), rs.getString("er7"), rs.getTimestamp("received")))
			.list();
		int applied = 0;
		for (Parked message : kept) {
			try {
				Outcome outcome = this.savepoint.execute((status) -> {
					if (!(this.reader.readText(message.er7()) instanceof LisMessage.Merge merge)) {
						throw new InvalidEventException("Kept " + message.type() + " " + message.controlId()
								+ " is no longer read as a merge");
					}
					KeyLocks.lock(this.jdbc, "lis-mrn", mrns(merge));
					requireSameAuthorities(merge);
					Outcome merged = merge(merge);
					this.patients.adoptAuthorities(merge.authorities());
					return merged;
				});
				this.jdbc.sql("DELETE FROM lis_unhandled_message WHERE id = ?").param(message.id()).update();
				this.audit.record("lis-replayed", "lis-message", message.controlId(), "OK", String.valueOf(outcome));
				applied++;
			}
			catch (InvalidEventException ex) {
				keepFor(REFUSED_ON_REPLAY, message.id());
				log.warn("Kept {} {} is refused now that it is replayed; it stays ({}): {}", message.type(),
						message.controlId(), REFUSED_ON_REPLAY, ex.getMessage());
			}
		}
		return applied;
	}

	/** Keeps a parked or kept message, for another reason. */
	private void keepFor(String reason, UUID id) {
		this.jdbc.sql("UPDATE lis_unhandled_message SET reason = ? WHERE id = ?").params(reason, id).update();
	}

	/** Applies one parked message; null when it still names a patient not registered. */
	private @Nullable String replay(Parked parked) {
		LisMessage message = this.reader.readText(parked.er7());
		requireSameAuthorities(message);
		TestOrders.Outcome outcome = switch (message) {
			case LisMessage.Orders orders -> this.orders.link(orders.command());
			case LisMessage.Results results -> this.orders.record(results.command(), parked.received().toInstant());
			default -> throw new IllegalStateException("A parked message is an order or result message, not "
					+ message.header().type());
		};
		if (!(outcome instanceof TestOrders.Outcome.Applied applied)) {
			return null;
		}
		this.patients.adoptAuthorities(message.authorities());
		this.jdbc.sql("DELETE FROM lis_unhandled_message WHERE id = ?").param(parked.id()).update();
		String result = applied.orders() + " orders, " + applied.released() + " results released";
		this.audit.record("lis-replayed", "lis-message", parked.controlId(), "OK", result);
		return result;
	}

	private record Parked(UUID id, String controlId, String type, String er7, Timestamp received) {
	}

}
