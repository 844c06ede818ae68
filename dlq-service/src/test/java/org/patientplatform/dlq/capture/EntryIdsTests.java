package org.patientplatform.dlq.capture;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EntryIdsTests {

	@Test
	void makesDistinctVersion7IdsThatGrowWithTime() throws Exception {
		UUID first = EntryIds.next();
		Thread.sleep(5);
		List<UUID> ids = new ArrayList<>();
		for (int i = 0; i < 10_000; i++) {
			ids.add(EntryIds.next());
		}
		assertThat(new HashSet<>(ids)).hasSize(10_000);
		assertThat(ids).allSatisfy((id) -> {
			assertThat(id.version()).isEqualTo(7);
			assertThat(id.variant()).isEqualTo(2);
			// a later millisecond sorts later, also as text (what PostgreSQL's uuid order follows)
			assertThat(id.toString()).isGreaterThan(first.toString());
		});
		assertThat(first.getMostSignificantBits() >>> 16).isBetween(System.currentTimeMillis() - 60_000,
				System.currentTimeMillis());
	}

}
