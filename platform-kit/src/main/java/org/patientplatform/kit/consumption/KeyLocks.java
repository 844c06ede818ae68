package org.patientplatform.kit.consumption;

import java.util.Collection;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Transaction-scoped locks on keys (PostgreSQL advisory locks), for two transactions that must not miss
 * each other's work on the same key: one parks something for want of the key's data, the other records
 * that data and picks up what is parked. Each takes the key's lock first, so whichever comes second sees
 * the first one's commit. The locks are held until the transaction ends.
 */
public final class KeyLocks {

	private KeyLocks() {
	}

	/**
	 * Locks the keys of a scope in the current transaction, in key order, so two callers locking
	 * overlapping keys never deadlock.
	 * @param scope what the keys name (e.g. {@code contact-details}), so equal keys of two scopes differ
	 */
	public static void lock(JdbcClient jdbc, String scope, Collection<String> keys) {
		if (keys.isEmpty()) {
			return;
		}
		jdbc.sql("""
				SELECT count(pg_advisory_xact_lock(hashtextextended(? || ':' || k, 0)))
				FROM (SELECT DISTINCT unnest(?::text[]) AS k ORDER BY 1) AS keys
				""").params(scope, keys.toArray(String[]::new)).query(Long.class).single();
	}

}
