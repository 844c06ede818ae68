package org.patientplatform.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.patientplatform.bench.Infrastructure.Database;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The raw limits of PostgreSQL for the platform's kinds of write, as plain JDBC loops (each thread its
 * own connection, autocommit unless batching): single-row inserts of a 1 KB row, JDBC batches of such
 * rows in one transaction each, and {@code FOR UPDATE SKIP LOCKED} claims of one row per transaction.
 */
final class RawPostgres {

	static final int ROW_BYTES = 1024;

	static final int BATCH_SIZE = 500;

	/** Rows per {@code COPY} statement (and transaction) in {@link #copyRows}. */
	static final int COPY_CHUNK = 5_000;

	private static final byte[] COPY_SIGNATURE = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0 };

	/** A row like a stored dead letter: random key, timestamp, 1 KB of incompressible bytes. */
	private static final String ROW_TABLE = """
			CREATE TABLE IF NOT EXISTS bench_row (
			    id         uuid        PRIMARY KEY,
			    created_at timestamptz NOT NULL DEFAULT now(),
			    payload    bytea       NOT NULL)
			""";

	private static final String INSERT_ROW = "INSERT INTO bench_row (id, payload) VALUES (?, ?)";

	/** A queue table claimed the way the kit's job table is: a partial index on the ready rows. */
	private static final String CLAIM_TABLE = """
			CREATE TABLE IF NOT EXISTS bench_claim (
			    id         bigserial   PRIMARY KEY,
			    status     text        NOT NULL DEFAULT 'READY',
			    claimed_by text,
			    claimed_at timestamptz,
			    payload    text        NOT NULL DEFAULT '{}');
			CREATE INDEX IF NOT EXISTS bench_claim_ready ON bench_claim (id) WHERE status = 'READY'
			""";

	static final String CLAIM = """
			UPDATE bench_claim SET status = 'DONE', claimed_by = ?, claimed_at = now()
			WHERE id = (SELECT id FROM bench_claim WHERE status = 'READY' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
			RETURNING id
			""";

	private RawPostgres() {
	}

	/** Single-row inserts, one commit each, on {@code threads} connections; returns the nanoseconds taken. */
	static Timed singleRowInserts(Database db, long rows, int threads) throws Exception {
		db.execute(ROW_TABLE);
		return onThreads(db, threads, (connection, thread) -> {
			try (PreparedStatement insert = connection.prepareStatement(INSERT_ROW)) {
				for (long i = share(rows, threads, thread); i > 0; i--) {
					insert.setObject(1, UUID.randomUUID());
					insert.setBytes(2, payload());
					insert.executeUpdate();
				}
			}
		});
	}

	/**
	 * Inserts in JDBC batches of {@link #BATCH_SIZE}, one transaction per batch, on {@code threads}
	 * connections; returns the nanoseconds taken.
	 */
	static Timed batchedInserts(Database db, long rows, int threads) throws Exception {
		db.execute(ROW_TABLE);
		return onThreads(db, threads, (connection, thread) -> {
			connection.setAutoCommit(false);
			try (PreparedStatement insert = connection.prepareStatement(INSERT_ROW)) {
				long left = share(rows, threads, thread);
				while (left > 0) {
					int batch = (int) Math.min(BATCH_SIZE, left);
					for (int i = 0; i < batch; i++) {
						insert.setObject(1, UUID.randomUUID());
						insert.setBytes(2, payload());
						insert.addBatch();
					}
					insert.executeBatch();
					connection.commit();
					left -= batch;
				}
			}
		});
	}

	/**
	 * Binary {@code COPY} of the same 1 KB rows, {@link #COPY_CHUNK} rows per statement and transaction, on
	 * {@code threads} connections; returns the nanoseconds taken. The rate the issue calls "the COPY rate".
	 */
	static Timed copyRows(Database db, long rows, int threads) throws Exception {
		db.execute(ROW_TABLE);
		return onThreads(db, threads, (connection, thread) -> {
			connection.setAutoCommit(false);
			CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
			long left = share(rows, threads, thread);
			while (left > 0) {
				int chunk = (int) Math.min(COPY_CHUNK, left);
				ByteArrayOutputStream bytes = new ByteArrayOutputStream(chunk * (ROW_BYTES + 40) + 32);
				DataOutputStream out = new DataOutputStream(bytes);
				out.write(COPY_SIGNATURE);
				out.writeInt(0); // flags
				out.writeInt(0); // header extension length
				for (int i = 0; i < chunk; i++) {
					UUID id = UUID.randomUUID();
					out.writeShort(2);
					out.writeInt(16);
					out.writeLong(id.getMostSignificantBits());
					out.writeLong(id.getLeastSignificantBits());
					out.writeInt(ROW_BYTES);
					out.write(payload());
				}
				out.writeShort(-1);
				copy.copyIn("COPY bench_row (id, payload) FROM STDIN (FORMAT binary)",
						new ByteArrayInputStream(bytes.toByteArray()));
				connection.commit();
				left -= chunk;
			}
		});
	}

	/** Adds ready rows to the claim table (setup, not measured). */
	static void addClaimable(Database db, long rows) throws SQLException {
		db.execute(CLAIM_TABLE, "INSERT INTO bench_claim (payload) SELECT '{\"n\":' || n || '}' FROM generate_series(1, "
				+ rows + ") AS n", "VACUUM ANALYZE bench_claim");
	}

	/**
	 * Claims {@code claims} rows of the claim table with {@link #CLAIM}, one row per transaction, on
	 * {@code threads} connections; returns the nanoseconds taken.
	 */
	static Timed skipLockedClaims(Database db, long claims, int threads) throws Exception {
		return claimLoop(db, CLAIM, claims, threads);
	}

	/**
	 * Runs {@code claimSql} (one parameter: the claimer's name; returns the claimed row) until
	 * {@code claims} rows are claimed; returns the nanoseconds taken.
	 * @throws IllegalStateException when the rows ran out first
	 */
	static Timed claimLoop(Database db, String claimSql, long claims, int threads) throws Exception {
		AtomicLong budget = new AtomicLong(claims);
		AtomicLong claimed = new AtomicLong();
		Timed timed = onThreads(db, threads, (connection, thread) -> {
			try (PreparedStatement claim = connection.prepareStatement(claimSql)) {
				claim.setString(1, "bench-" + thread);
				while (budget.getAndDecrement() > 0) {
					try (ResultSet rs = claim.executeQuery()) {
						if (!rs.next()) {
							return;
						}
						claimed.incrementAndGet();
					}
				}
			}
		});
		if (claimed.get() != claims) {
			throw new IllegalStateException("Claimed " + claimed.get() + " rows, expected " + claims);
		}
		return timed;
	}

	static byte[] payload() {
		byte[] bytes = new byte[ROW_BYTES];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

	private static long share(long total, int threads, int thread) {
		return total / threads + ((thread < total % threads) ? 1 : 0);
	}

	static double perSecond(long count, long nanos) {
		return count * 1_000_000_000.0 / nanos;
	}

	/**
	 * Opens a connection per thread, then starts all threads at once and times them until the last one
	 * ends.
	 * @return the elapsed time and the CPU used, by this JVM and by the connections' backends
	 */
	static Timed onThreads(Database db, int threads, ConnectionWork work) throws Exception {
		List<Connection> connections = new ArrayList<>();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			for (int i = 0; i < threads; i++) {
				connections.add(db.connect());
			}
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> running = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				int thread = i;
				running.add(pool.submit(() -> {
					start.await();
					work.run(connections.get(thread), thread);
					return null;
				}));
			}
			CpuMeter cpu = CpuMeter.start(db);
			long started = System.nanoTime();
			start.countDown();
			for (Future<?> future : running) {
				try {
					future.get();
				}
				catch (ExecutionException ex) {
					throw (ex.getCause() instanceof Exception cause) ? cause : ex;
				}
			}
			long elapsed = System.nanoTime() - started;
			return new Timed(elapsed, cpu.stop());
		}
		finally {
			pool.shutdownNow();
			for (Connection connection : connections) {
				connection.close();
			}
		}
	}

	/**
	 * A measured phase.
	 *
	 * @param nanos the wall-clock time
	 * @param cpu the CPU it used
	 */
	record Timed(long nanos, CpuMeter.Usage cpu) {
	}

	@FunctionalInterface
	interface ConnectionWork {

		void run(Connection connection, int thread) throws Exception;

	}

}
