package org.patientplatform.kit.internal;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.CannotCreateTransactionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a record listener holds its partition for (the database is away) and what it dead-letters after its quick
 * retries (anything else).
 */
class InfrastructureOutageTests {

	@Test
	void aDatabaseRefusingConnectionsIsAnOutage() {
		// Hikari's timeout carries the state of its last attempt: the database does not accept connections (55000)
		SQLException refused = new SQLException("database \"x\" is not currently accepting connections", "55000");
		assertThat(PlatformKafkaAutoConfiguration.isInfrastructureOutage(new CannotCreateTransactionException(
				"Could not open JDBC Connection for transaction", new SQLTransientConnectionException(
						"HikariPool-1 - Connection is not available, request timed out after 2000ms", "55000", refused))))
			.isTrue();
		// or is starting up after a restart (57P03)
		assertThat(PlatformKafkaAutoConfiguration.isInfrastructureOutage(new CannotCreateTransactionException(
				"Could not open JDBC Connection for transaction",
				new SQLTransientConnectionException("timed out", "57P03"))))
			.isTrue();
	}

	@Test
	void aSessionEndedUnderTheTransactionIsAnOutage() {
		assertThat(PlatformKafkaAutoConfiguration.isInfrastructureOutage(
				new SQLException("terminating connection due to administrator command", "57P01")))
			.isTrue();
	}

	@Test
	void aRefusalOfTheDataIsNot() {
		assertThat(PlatformKafkaAutoConfiguration.isInfrastructureOutage(new DataIntegrityViolationException(
				"duplicate key", new SQLException("duplicate key value violates unique constraint", "23505"))))
			.isFalse();
		assertThat(PlatformKafkaAutoConfiguration.isInfrastructureOutage(new IllegalStateException("a bug"))).isFalse();
	}

}
