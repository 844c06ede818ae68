package org.patientplatform.kit.web;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * A database failure that says nothing about the request, only about the moment (docs/adr/0017): a conflict
 * with a concurrent transaction (deadlock 40P01, serialization failure 40001, lock timeout 55P03, any Spring
 * {@link ConcurrencyFailureException}) or a database the service cannot use just now (no connection from the
 * pool in time, connections refused or ended, SQL state class 08, 57P01 to 57P03, 53300). Either is answered
 * 503 with {@code Retry-After} and a problem that says the request can be sent again as it is, never the SQL;
 * it is logged as a warning with its SQL state and counted ({@value #METER}, tag {@code cause}).
 */
public final class TransientDatabaseFailures {

	/** The counter of requests answered 503 for a transient database failure, tagged {@code cause}. */
	public static final String METER = "platform.http.transient.failures";

	private static final Logger log = LoggerFactory.getLogger(TransientDatabaseFailures.class);

	/** The connection is gone or cannot be made: the server shut down, restarts, or has no room for it. */
	private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");

	/** What kind of moment it was, and how long a client should wait before sending the request again. */
	public enum Kind {

		/** Another transaction held what this one needed; it was rolled back. */
		CONFLICT(1, "The request ran into a transient conflict with another one running at the same time and was "
				+ "stopped. It can be retried as it is, after the Retry-After seconds."),

		/** The service's database cannot be used just now. */
		UNAVAILABLE(5, "The service's database is unavailable just now. The request can be retried as it is, "
				+ "after the Retry-After seconds.");

		private final int retryAfterSeconds;

		private final String detail;

		Kind(int retryAfterSeconds, String detail) {
			this.retryAfterSeconds = retryAfterSeconds;
			this.detail = detail;
		}

		public int retryAfterSeconds() {
			return this.retryAfterSeconds;
		}

	}

	/**
	 * A transient failure, as classified.
	 *
	 * @param kind conflict or unavailable
	 * @param cause the metric's tag: deadlock, serialization, lock-timeout, concurrency, no-connection,
	 * connection-lost
	 * @param sqlState the database's SQL state, when it gave one
	 */
	public record Failure(Kind kind, String cause, @Nullable String sqlState) {
	}

	/** Every {@code cause} tag {@link #classify} gives. */
	public static final List<String> CAUSES = List.of("deadlock", "serialization", "lock-timeout", "concurrency",
			"no-connection", "connection-lost");

	private final @Nullable MeterRegistry registry;

	/**
	 * Registers the counter of every cause at zero, so that its series exists before the first failure: a counter
	 * that first appears at 1 has no earlier sample, and {@code rate()} or {@code increase()} (the alert rules') do
	 * not see that first failure, nor a burst that all comes in its first scrape.
	 */
	public TransientDatabaseFailures(@Nullable MeterRegistry registry) {
		this.registry = registry;
		if (registry != null) {
			CAUSES.forEach((cause) -> counter(registry, cause));
		}
	}

	/** The failure as a transient one, or null when it is not one (or not the database's). */
	public static @Nullable Failure classify(Throwable failure) {
		if (failure instanceof TransactionSystemException rollback && rollback.getApplicationException() != null) {
			// the rollback of a transaction that had failed failed too (its connection ended under it: Hikari's
			// "Connection is closed", no SQL state) and took the failure's place: the failure is what happened
			Failure original = classify(rollback.getApplicationException());
			if (original != null) {
				return original;
			}
		}
		String state = null;
		boolean concurrency = false;
		boolean noConnection = false;
		boolean resource = false;
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof SQLException sql && sql.getSQLState() != null && state == null) {
				state = sql.getSQLState();
			}
			concurrency |= t instanceof ConcurrencyFailureException;
			noConnection |= t instanceof CannotGetJdbcConnectionException
					|| t instanceof SQLTransientConnectionException;
			resource |= t instanceof TransientDataAccessResourceException;
			if (t.getCause() == t) {
				break;
			}
		}
		if (noConnection) {
			// the pool gave no connection in time: all in use, or none can be made (the database down or refusing)
			return new Failure(Kind.UNAVAILABLE, "no-connection", state);
		}
		if ("40P01".equals(state)) {
			return new Failure(Kind.CONFLICT, "deadlock", state);
		}
		if ("40001".equals(state)) {
			return new Failure(Kind.CONFLICT, "serialization", state);
		}
		if ("55P03".equals(state)) {
			return new Failure(Kind.CONFLICT, "lock-timeout", state);
		}
		if (concurrency) {
			// no SQL state of the three (an optimistic lock, another store's translation): still Spring's concurrency
			// family, which retrying may mend
			return new Failure(Kind.CONFLICT, (failure instanceof CannotAcquireLockException) ? "lock-timeout"
					: "concurrency", state);
		}
		if (resource || (state != null && (state.startsWith("08") || UNAVAILABLE_STATES.contains(state)))) {
			return new Failure(Kind.UNAVAILABLE, "connection-lost", state);
		}
		return null;
	}

	/** The 503 answer of a request that met the failure, logged and counted. */
	public ResponseEntity<ProblemDetail> answer(Failure failure, Throwable ex) {
		note(failure, ex);
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, Integer.toString(failure.kind().retryAfterSeconds()))
			.body(problem(failure));
	}

	/** The same answer written outside Spring MVC (a filter that needs the database). */
	public void write(HttpServletRequest request, HttpServletResponse response, ProblemResponses problems,
			Failure failure, Throwable ex) throws IOException {
		note(failure, ex);
		response.setHeader(HttpHeaders.RETRY_AFTER, Integer.toString(failure.kind().retryAfterSeconds()));
		problems.write(request, response, problem(failure));
	}

	private static ProblemDetail problem(Failure failure) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, failure.kind().detail);
		problem.setTitle(HttpStatus.SERVICE_UNAVAILABLE.getReasonPhrase());
		String traceId = MDC.get("traceId");
		if (traceId != null) {
			problem.setProperty("traceId", traceId);
		}
		return problem;
	}

	private void note(Failure failure, Throwable ex) {
		if (failure.kind() == Kind.CONFLICT) {
			// with the stack: it names the code whose transactions conflict, which may want its locks in another order
			log.warn("Answered 503 to a request that met a transient database conflict ({}, SQL state {})",
					failure.cause(), failure.sqlState(), ex);
		}
		else {
			// one line each: an outage would fill the log with the same stack for every request
			log.warn("Answered 503 to a request while the database was unavailable ({}, SQL state {}): {}",
					failure.cause(), failure.sqlState(), rootMessage(ex));
		}
		if (this.registry != null) {
			counter(this.registry, failure.cause()).increment();
		}
	}

	private static Counter counter(MeterRegistry registry, String cause) {
		return Counter.builder(METER)
			.description("Requests answered 503 for a transient database failure")
			.tag("cause", cause)
			.register(registry);
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getName() + ": " + root.getMessage();
	}

}
