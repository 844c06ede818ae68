package org.patientplatform.dlq.capture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
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

	private final Map<Utf8, Trace> traces = new HashMap<>();

	/**
	 * The digest of a trace of this batch, which {@link #store} then stores; null for no trace. Each
	 * distinct trace is decoded and digested once per batch.
	 * @param utf8 the trace as the failed record carries it
	 */
	byte @Nullable [] digest(byte @Nullable [] utf8) {
		return (utf8 != null) ? this.traces.computeIfAbsent(new Utf8(utf8), Trace::of).digest() : null;
	}

	/** Stores the batch's traces that are not stored yet; in the transaction that stores its entries. */
	void store(JdbcTemplate jdbc) {
		if (this.traces.isEmpty()) {
			return;
		}
		jdbc.query("SELECT pg_advisory_xact_lock_shared(?)", (rs) -> {
		}, LOCK);
		byte[][] digests = new byte[this.traces.size()][];
		String[] traces = new String[this.traces.size()];
		int i = 0;
		for (Trace trace : this.traces.values()) {
			digests[i] = trace.digest();
			traces[i++] = trace.text();
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

	/** A trace's text as the entry shows it, and the SHA-256 of that text's UTF-8 (as the view's trigger). */
	private record Trace(String text, byte[] digest) {

		static Trace of(Utf8 utf8) {
			String text = CapturedRecord.text(utf8.bytes);
			return new Trace(text, sha256(text));
		}

	}

	/** A header's bytes as a key: equal when their content is. */
	private static final class Utf8 {

		final byte[] bytes;

		private final int hash;

		Utf8(byte[] bytes) {
			this.bytes = bytes;
			this.hash = Arrays.hashCode(bytes);
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return other instanceof Utf8 utf8 && this.hash == utf8.hash && Arrays.equals(this.bytes, utf8.bytes);
		}

		@Override
		public int hashCode() {
			return this.hash;
		}

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
