package org.patientplatform.patient.orders;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.consumption.KeyLocks;
import org.patientplatform.kit.outbox.Outbox;
import org.patientplatform.patient.records.Patient;
import org.patientplatform.patient.records.PatientId;
import org.patientplatform.patient.records.Patients;

import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The lab test orders, each linked to one patient for good, and the release of their results. Both
 * operations join the caller's transaction (the LIS consumer marks the message processed in the same
 * one), and a released result's {@link TestResultReady} is appended to the outbox in it: the order's
 * state and the event commit together or not at all. A message for an MRN this service does not know
 * changes nothing; one that names an order of another patient throws {@link TestOrderConflictException}
 * and so rolls the whole message back.
 */
@Service
public class TestOrders {

	private static final String COLUMNS = """
			order_id, patient_id, test_code, status, ordered_at, performed_at, released_at, lis_message_time
			""";

	private static final String SAVE = """
			INSERT INTO test_order AS o (order_id, patient_id, test_code, status, ordered_at, performed_at,
			    released_at, lis_message_time, lis_message_control_id)
			VALUES (:orderId, :patientId, :testCode, :status, :orderedAt, :performedAt, :releasedAt, :asOf, :controlId)
			ON CONFLICT (order_id, test_code) DO UPDATE SET
			    status = EXCLUDED.status,
			    ordered_at = EXCLUDED.ordered_at,
			    performed_at = EXCLUDED.performed_at,
			    released_at = EXCLUDED.released_at,
			    lis_message_time = EXCLUDED.lis_message_time,
			    lis_message_control_id = EXCLUDED.lis_message_control_id,
			    updated_at = now()
			WHERE o.patient_id = EXCLUDED.patient_id
			""";

	private final JdbcClient jdbc;

	private final Patients patients;

	private final Outbox outbox;

	private final String topic;

	TestOrders(JdbcClient jdbc, Patients patients, Outbox outbox, TestResultsProperties properties) {
		this.jdbc = jdbc;
		this.patients = patients;
		this.outbox = outbox;
		this.topic = properties.topic();
	}

	/** What a message did; ids and counts only, safe to log. */
	public sealed interface Outcome {

		/** a patient of the message is not registered: nothing changed */
		record UnknownPatient() implements Outcome {
		}

		/**
		 * @param orders the orders written
		 * @param released the results released, i.e. TestResultReady events published
		 */
		record Applied(int orders, int released) implements Outcome {
		}

	}

	/**
	 * Links the orders of an order message to their patients.
	 * @throws TestOrderConflictException when an order is linked to another patient
	 */
	@Transactional
	public Outcome link(LinkTestOrders command) {
		Optional<Map<String, PatientId>> known = patientsOf(
				command.orders().stream().map(LinkTestOrders.Order::mrn).toList());
		if (known.isEmpty()) {
			return new Outcome.UnknownPatient();
		}
		Instant asOf = micros(command.asOf());
		KeyLocks.lock(this.jdbc, "test-order", command.orders().stream().map(LinkTestOrders.Order::orderId).toList());
		int written = 0;
		for (LinkTestOrders.Order order : command.orders()) {
			PatientId patient = known.get().get(order.mrn());
			Optional<StoredOrder> stored = lock(order.orderId(), order.testCode(), patient,
					command.messageControlId());
			if (stored.isPresent() && stored.get().isNewerThan(asOf)) {
				continue;
			}
			StoredOrder next = stored.map((before) -> before.linkedAgain(order, asOf))
				.orElseGet(() -> new StoredOrder(order.orderId(), patient, order.testCode(), order.status(),
						micros(order.orderedAt()), null, null, asOf));
			save(next, command.messageControlId());
			written++;
		}
		return new Outcome.Applied(written, 0);
	}

	/**
	 * Records the state of the orders a result message reports, linking each to its patient, and
	 * publishes a {@link TestResultReady} for each result newly released (final or corrected, first
	 * seen or released again at another time by OBR-22). The release time is the message's (OBR-22), else
	 * the stored one of a result already released, else the message's sending time, else {@code receivedAt}.
	 * A status that is not final after a final one changes nothing but the message time. A message older than
	 * the stored state of a test changes nothing of it, unless that state is only the order's (ORDERED).
	 * @param receivedAt when the message reached the platform
	 * @throws TestOrderConflictException when an order is linked to another patient
	 */
	@Transactional
	public Outcome record(RecordTestResults command, Instant receivedAt) {
		Optional<Map<String, PatientId>> known = patientsOf(
				command.results().stream().map(RecordTestResults.Result::mrn).toList());
		if (known.isEmpty()) {
			return new Outcome.UnknownPatient();
		}
		Instant asOf = micros(command.asOf());
		KeyLocks.lock(this.jdbc, "test-order",
				command.results().stream().map(RecordTestResults.Result::orderId).toList());
		int written = 0;
		int released = 0;
		for (RecordTestResults.Result result : command.results()) {
			PatientId patient = known.get().get(result.mrn());
			Optional<StoredOrder> stored = lock(result.orderId(), result.testCode(), patient,
					command.messageControlId());
			if (stored.isPresent() && stored.get().reportsAResult() && stored.get().isNewerThan(asOf)) {
				continue;
			}
			Instant releasedAt = releaseTime(stored, result, command.asOf(), receivedAt);
			StoredOrder next = stored.map((before) -> before.resulted(result, releasedAt, asOf))
				.orElseGet(() -> new StoredOrder(result.orderId(), patient, result.testCode(), result.status(), null,
						micros(result.performedAt()),
						(result.status() == TestOrderStatus.RESULTED) ? releasedAt : null, asOf));
			save(next, command.messageControlId());
			written++;
			if (next.status() == TestOrderStatus.RESULTED && !stored.map(next::sameReleaseAs).orElse(false)) {
				this.outbox.append(this.topic, patient.toString(), TestResultReady.TYPE, new TestResultReady(
						patient.toString(), next.orderId(), next.testCode(), next.performedAt(), releasedAt));
				released++;
			}
		}
		return new Outcome.Applied(written, released);
	}

	/**
	 * Moves the tests of a merged patient to the patient it was merged into (ADT^A40), in the merge's transaction.
	 * @return how many tests moved
	 */
	@Transactional
	public int moveToSurvivor(PatientId merged, PatientId survivor) {
		return this.jdbc.sql("UPDATE test_order SET patient_id = ?, updated_at = now() WHERE patient_id = ?")
			.params(survivor.value(), merged.value())
			.update();
	}

	/**
	 * A page of a patient's tests, the most recently linked first (by when this service first learnt of the
	 * test, then order number and test code: a keyset, so a page deep in the list costs what the first does).
	 * @param status only tests in this state, or every state when null
	 * @param after where the previous page ended, or null for the first page
	 * @param limit how many to fetch: a page's size plus one, to know whether another page follows
	 */
	public List<TestOrder> findByPatient(PatientId patient, @Nullable TestOrderStatus status,
			TestOrder.@Nullable Cursor after, int limit) {
		StringBuilder sql = new StringBuilder("""
				SELECT order_id, test_code, status, ordered_at, performed_at, released_at, created_at, updated_at
				FROM test_order WHERE patient_id = :patient
				""");
		Map<String, Object> params = new HashMap<>();
		params.put("patient", patient.value());
		if (status != null) {
			sql.append(" AND status = :status");
			params.put("status", status.name());
		}
		if (after != null) {
			sql.append(" AND (created_at, order_id, test_code) < (:at, :orderId, :testCode)");
			params.put("at", timestamp(after.createdAt()));
			params.put("orderId", after.orderId());
			params.put("testCode", after.testCode());
		}
		sql.append(" ORDER BY created_at DESC, order_id DESC, test_code DESC LIMIT :limit");
		params.put("limit", limit);
		return this.jdbc.sql(sql.toString())
			.params(params)
			.query((rs, row) -> new TestOrder(rs.getString("order_id"), rs.getString("test_code"),
					TestOrderStatus.valueOf(rs.getString("status")), instant(rs, "ordered_at"),
					instant(rs, "performed_at"), instant(rs, "released_at"),
					rs.getObject("created_at", OffsetDateTime.class).toInstant(),
					rs.getObject("updated_at", OffsetDateTime.class).toInstant()))
			.list();
	}

	/**
	 * When the result was released: OBR-22, which is its status change time. Without it, a result already
	 * released keeps its release time: a resend of the final result (under a new control id and a new
	 * MSH-7) cannot be told from a new release, and must not tell the patient again. Otherwise the message's
	 * sending time, else when it reached the platform.
	 */
	private static Instant releaseTime(Optional<StoredOrder> stored, RecordTestResults.Result result,
			@Nullable Instant sentAt, Instant receivedAt) {
		if (result.releasedAt() != null) {
			return micros(result.releasedAt());
		}
		if (stored.isPresent() && stored.get().status() == TestOrderStatus.RESULTED
				&& stored.get().releasedAt() != null) {
			return stored.get().releasedAt();
		}
		return micros((sentAt != null) ? sentAt : receivedAt);
	}

	/** The ids of the message's patients by MRN; empty when one of them is not registered. */
	private Optional<Map<String, PatientId>> patientsOf(Iterable<String> mrns) {
		Set<String> distinct = new LinkedHashSet<>();
		mrns.forEach(distinct::add);
		Map<String, PatientId> ids = new HashMap<>();
		for (String mrn : distinct) {
			// a merged patient's MRN names the patient it was merged into (ADT^A40)
			Optional<PatientId> id = this.patients.findByMrn(mrn).map(Patient::current);
			if (id.isEmpty()) {
				return Optional.empty();
			}
			ids.put(mrn, id.get());
		}
		return Optional.of(ids);
	}

	/**
	 * The stored test of the order, locked for this transaction. An order is one patient's, whatever its tests:
	 * a message that names it for another patient throws. (The order number alone does not name a test: an
	 * LIS may send the tests of one accession, a panel, as OBRs with one order number and their own codes.)
	 */
	private Optional<StoredOrder> lock(String orderId, String testCode, PatientId patient, String controlId) {
		List<StoredOrder> tests = this.jdbc
			.sql("SELECT " + COLUMNS + " FROM test_order WHERE order_id = ? FOR UPDATE")
			.param(orderId)
			.query(TestOrders::storedOrder)
			.list();
		if (tests.stream().anyMatch((test) -> !test.patientId().equals(patient))) {
			throw conflict(controlId);
		}
		return tests.stream().filter((test) -> test.testCode().equals(testCode)).findFirst();
	}

	private void save(StoredOrder order, String controlId) {
		int saved = this.jdbc.sql(SAVE)
			.param("orderId", order.orderId())
			.param("patientId", order.patientId().value())
			.param("testCode", order.testCode())
			.param("status", order.status().name())
			.param("orderedAt", timestamp(order.orderedAt()))
			.param("performedAt", timestamp(order.performedAt()))
			.param("releasedAt", timestamp(order.releasedAt()))
			.param("asOf", timestamp(order.messageTime()))
			.param("controlId", controlId)
			.update();
		if (saved != 1) {
			// linked to another patient by a concurrent transaction since the lock found nothing
			throw conflict(controlId);
		}
	}

	private static TestOrderConflictException conflict(String controlId) {
		return new TestOrderConflictException(
				"Message " + controlId + " names an order that is linked to another patient");
	}

	private static StoredOrder storedOrder(ResultSet rs, int row) throws SQLException {
		return new StoredOrder(rs.getString("order_id"), new PatientId(rs.getObject("patient_id", UUID.class)),
				rs.getString("test_code"), TestOrderStatus.valueOf(rs.getString("status")), instant(rs, "ordered_at"),
				instant(rs, "performed_at"), instant(rs, "released_at"), instant(rs, "lis_message_time"));
	}

	private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	private static SqlParameterValue timestamp(@Nullable Instant instant) {
		return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
				(instant != null) ? instant.atOffset(ZoneOffset.UTC) : null);
	}

	/** PostgreSQL keeps microseconds: compare what is stored with what would be stored. */
	private static @Nullable Instant micros(@Nullable Instant instant) {
		return (instant != null) ? instant.truncatedTo(ChronoUnit.MICROS) : null;
	}

	/** A test_order row. */
	private record StoredOrder(String orderId, PatientId patientId, String testCode, TestOrderStatus status,
			@Nullable Instant orderedAt, @Nullable Instant performedAt, @Nullable Instant releasedAt,
			@Nullable Instant messageTime) {

		/** Whether a message sent at {@code asOf} is older than the one this state came from. */
		boolean isNewerThan(@Nullable Instant asOf) {
			return this.messageTime != null && asOf != null && asOf.isBefore(this.messageTime);
		}

		/**
		 * Whether this state came from a result message. An order only ordered so far holds no news a result could
		 * be older than: its MSH-7 is the ordering system's, whose clock (or zone) need not be the lab's, and a
		 * result dated before it is still the order's first result.
		 */
		boolean reportsAResult() {
			return this.status != TestOrderStatus.ORDERED;
		}

		/** Ordered again: the progress stays, only an order without a result can be cancelled. */
		StoredOrder linkedAgain(LinkTestOrders.Order order, @Nullable Instant asOf) {
			boolean cancels = order.status() == TestOrderStatus.CANCELLED && this.status != TestOrderStatus.RESULTED;
			TestOrderStatus next = cancels ? TestOrderStatus.CANCELLED : this.status;
			return new StoredOrder(this.orderId, this.patientId, this.testCode, next,
					(this.orderedAt != null) ? this.orderedAt : micros(order.orderedAt()), this.performedAt,
					this.releasedAt, latest(asOf));
		}

		StoredOrder resulted(RecordTestResults.Result result, Instant releasedAt, @Nullable Instant asOf) {
			boolean released = result.status() == TestOrderStatus.RESULTED;
			if (this.status == TestOrderStatus.RESULTED && !released) {
				// a preliminary (or cancelled) status after the final result is out of order: the result the
				// patient was told about stays released
				return new StoredOrder(this.orderId, this.patientId, this.testCode, this.status, this.orderedAt,
						this.performedAt, this.releasedAt, latest(asOf));
			}
			return new StoredOrder(this.orderId, this.patientId, this.testCode, result.status(), this.orderedAt,
					(result.performedAt() != null) ? micros(result.performedAt()) : this.performedAt,
					released ? releasedAt : this.releasedAt, latest(asOf));
		}

		/** Whether this resulted state was already released at the same time before. */
		boolean sameReleaseAs(StoredOrder before) {
			return before.status == TestOrderStatus.RESULTED && this.releasedAt != null
					&& this.releasedAt.equals(before.releasedAt);
		}

		private @Nullable Instant latest(@Nullable Instant asOf) {
			if (asOf == null) {
				return this.messageTime;
			}
			return (this.messageTime == null || asOf.isAfter(this.messageTime)) ? asOf : this.messageTime;
		}

	}

}
