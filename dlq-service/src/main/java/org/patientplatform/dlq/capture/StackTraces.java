package org.patientplatform.dlq.capture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The stack traces of a batch of failures, each stored once ({@code dead_letter_stacktrace}, V12): an
 * incident's records fail the same way and carry the same trace, so an entry holds the SHA-256 of the
 * trace's UTF-8 instead of its own copy. Traces are stored under a shared transaction-level advisory lock,
 * which {@link #purgeUnused} takes exclusively: the purge never deletes a trace that a capture in flight is
 * about to use, because the capture's entries commit before the purge looks for them.
 */
public final class StackTraces {

	/** The advisory lock of the trace table (also taken by the entry view's trigger, V12). */
	static final long LOCK = 431_761_001L;

	/* In digest order, so two captures storing the same new traces never wait on each other in a cycle. */
	private static final String STORE = """
			INSERT INTO dead_letter_stacktrace (digest, stacktrace)
			SELECT t.digest, t.stacktrace FROM unnest(?::bytea[], ?::text[]) AS t(digest, stacktrace)
			ORDER BY t.digest
			ON CONFLICT (digest) DO NOTHING
			""";

	private static final String PURGE_UNUSED = """
			DELETE FROM dead_letter_stacktrace t
			WHERE NOT EXISTS (SELECT 1 FROM dead_letter_record r WHERE r.error_stacktrace_digest = t.digest)
			""";

	private final Map<String, byte[]> digests = new HashMap<>();

	/** The digest of a trace of this batch, which {@link #store} then stores; null for no trace. */
	byte @Nullable [] digest(@Nullable String trace) {
		return (trace != null) ? this.digests.computeIfAbsent(trace, StackTraces::sha256) : null;
	}

	/** Stores the batch's traces that are not stored yet; in the transaction that stores its entries. */
	void store(JdbcTemplate jdbc) {
		if (this.digests.isEmpty()) {
			return;
		}
		jdbc.query("SELECT pg_advisory_xact_lock_shared(?)", (rs) -> {
		}, LOCK);
		byte[][] digests = new byte[this.digests.size()][];
		String[] traces = new String[this.digests.size()];
		int i = 0;
		for (Map.Entry<String, byte[]> trace : this.digests.entrySet()) {
			digests[i] = trace.getValue();
			traces[i++] = trace.getKey();
		}
		jdbc.update(STORE, digests, traces);
	}

	/**
	 * Deletes the traces that no entry holds any more (their entries purged, or failed again with another
	 * trace), in a transaction of its own.
	 * @param jdbc the DLQ database, in a transaction
	 * @return the number of traces deleted
	 */
	public static int purgeUnused(JdbcTemplate jdbc) {
		jdbc.query("SELECT pg_advisory_xact_lock(?)", (rs) -> {
		}, LOCK);
		// a statement after the lock: its snapshot sees every capture that stored a trace before
		return jdbc.update(PURGE_UNUSED);
	}

	static byte[] sha256(String trace) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(trace.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
