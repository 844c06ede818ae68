package org.patientplatform.kit.web;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.TransactionSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures are transient (the integration tests provoke each on the real database). */
class TransientDatabaseFailuresTests {

	@Test
	void aLockTimeoutSpringLeavesUncategorizedIsAConflictByItsSqlState() {
		var failure = TransientDatabaseFailures.classify(
				new UncategorizedSQLException("update", "UPDATE t", new SQLException("lock timeout", "55P03")));
		assertThat(failure).isNotNull();
		assertThat(failure.kind()).isEqualTo(TransientDatabaseFailures.Kind.CONFLICT);
		assertThat(failure.cause()).isEqualTo("lock-timeout");
	}

	@Test
	void anOptimisticLockingFailureIsAConflictToo() {
		var failure = TransientDatabaseFailures.classify(new OptimisticLockingFailureException("version 3 is gone"));
		assertThat(failure).isNotNull();
		assertThat(failure.cause()).isEqualTo("concurrency");
	}

	@Test
	void noConnectionIsUnavailableEvenWithTheStateOfTheLastRefusal() {
		var failure = TransientDatabaseFailures.classify(new CannotGetJdbcConnectionException("Failed to obtain",
				new SQLTransientConnectionException("timed out", "08001")));
		assertThat(failure).isNotNull();
		assertThat(failure.kind()).isEqualTo(TransientDatabaseFailures.Kind.UNAVAILABLE);
		assertThat(failure.cause()).isEqualTo("no-connection");
	}

	@Test
	void aRollbackThatFailedOnAClosedConnectionIsClassifiedByTheFailureItRolledBack() {
		// the session ended under a transaction: the statement failed (57P01), then the rollback on the closed
		// connection, and Spring throws the rollback's failure, with the statement's kept beside it
		TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
				new SQLException("Connection is closed"));
		rollback.initApplicationException(new UncategorizedSQLException("update", "UPDATE t",
				new SQLException("terminating connection due to administrator command", "57P01")));
		var failure = TransientDatabaseFailures.classify(rollback);
		assertThat(failure).isNotNull();
		assertThat(failure.kind()).isEqualTo(TransientDatabaseFailures.Kind.UNAVAILABLE);
		assertThat(failure.cause()).isEqualTo("connection-lost");

		// a rollback failure after a failure that is not transient stays unexpected
		TransactionSystemException afterABug = new TransactionSystemException("JDBC rollback failed",
				new SQLException("Connection is closed"));
		afterABug.initApplicationException(new IllegalStateException("a bug"));
		assertThat(TransientDatabaseFailures.classify(afterABug)).isNull();
	}

	@Test
	void aStatementTimeoutARefusedValueAndAnythingElseAreNot() {
		assertThat(TransientDatabaseFailures.classify(
				new QueryTimeoutException("select", new SQLException("canceling statement", "57014")))).isNull();
		assertThat(TransientDatabaseFailures.classify(
				new DataIntegrityViolationException("insert", new SQLException("duplicate key", "23505")))).isNull();
		assertThat(TransientDatabaseFailures.classify(new IllegalStateException("bug"))).isNull();
	}

	@Test
	void everyCauseIsCountedFromZeroBeforeItsFirstFailureSoRateSeesTheFirstOne() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		TransientDatabaseFailures failures = new TransientDatabaseFailures(registry);
		assertThat(registry.find(TransientDatabaseFailures.METER).counters())
			.extracting((counter) -> counter.getId().getTag("cause"))
			.containsExactlyInAnyOrder("deadlock", "serialization", "lock-timeout", "concurrency", "no-connection",
					"connection-lost");
		assertThat(registry.find(TransientDatabaseFailures.METER).counters()).allSatisfy(
				(counter) -> assertThat(counter.count()).isZero());

		var deadlock = TransientDatabaseFailures.classify(
				new UncategorizedSQLException("update", "UPDATE t", new SQLException("deadlock detected", "40P01")));
		assertThat(deadlock).isNotNull();
		failures.answer(deadlock, new SQLException("deadlock detected", "40P01"));
		assertThat(registry.get(TransientDatabaseFailures.METER).tag("cause", "deadlock").counter().count())
			.isEqualTo(1);
		assertThat(registry.find(TransientDatabaseFailures.METER).counters()).hasSize(6);
	}

}
