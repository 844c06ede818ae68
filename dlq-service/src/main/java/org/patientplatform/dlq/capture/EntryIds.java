package org.patientplatform.dlq.capture;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids of new entries: time-ordered UUIDs (version 7, RFC 9562: 48 bits of Unix milliseconds, then random
 * bits), so the primary key and the history's key grow at their right edge instead of at a random page,
 * which keeps capture's index writes cheap at millions of entries. The random part comes from
 * {@link ThreadLocalRandom}: ids are not secrets (operators see them; every API that takes one checks the
 * caller's role), so they need no shared {@code SecureRandom}.
 */
final class EntryIds {

	private EntryIds() {
	}

	static UUID next() {
		long millis = System.currentTimeMillis();
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
		long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
		return new UUID(high, low);
	}

}
