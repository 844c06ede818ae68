package org.patientplatform.kit.kafka;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.kafka.listener.BatchListenerFailedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class BatchStoresTests {

	private final List<List<String>> calls = new ArrayList<>();

	private final List<String> stored = new ArrayList<>();

	/** A store that refuses any list holding "bad" (as one statement for the whole list would be). */
	private void store(List<String> items) {
		this.calls.add(List.copyOf(items));
		if (items.contains("bad")) {
			throw new DataIntegrityViolationException("insert failed",
					new SQLException("invalid byte sequence: value 'secret' cannot be stored", "22021"));
		}
		if (items.contains("huge")) {
			// PostgreSQL's answer to a 5,000-character id under a btree
			throw new DataAccessResourceFailureException("insert failed",
					new SQLException("index row size 5064 exceeds btree version 4 maximum 2704", "54000"));
		}
		if (items.contains("down")) {
			throw new DataAccessResourceFailureException("gone", new SQLException("connection refused", "08006"));
		}
		this.stored.addAll(items);
	}

	@Test
	void storesABatchInOneCallWhenTheDatabaseTakesIt() {
		BatchStores.storeFindingRefused(List.of("a", "b", "c"), this::store);
		assertThat(this.calls).containsExactly(List.of("a", "b", "c"));
		assertThat(this.stored).containsExactly("a", "b", "c");
	}

	@Test
	void namesTheRefusedRecordAfterStoringTheOnesBeforeItWithoutTheDatabaseMessage() {
		assertThatExceptionOfType(BatchListenerFailedException.class)
			.isThrownBy(() -> BatchStores.storeFindingRefused(List.of("a", "b", "bad", "c"), this::store))
			.satisfies((ex) -> {
				assertThat(ex.getIndex()).isEqualTo(2);
				assertThat(ex.getCause()).isInstanceOf(BatchStores.RefusedRecordException.class)
					.hasMessageContaining("SQL state 22021")
					.hasNoCause();
				assertThat(ex.getCause().getMessage()).doesNotContain("secret");
			});
		// the records after it are not stored here: they come back in the next poll
		assertThat(this.stored).containsExactly("a", "b");
		assertThat(new NonRetryableClassifier(List.of())
			.isNonRetryable(new BatchListenerFailedException("x", new BatchStores.RefusedRecordException("22021", "X"), 0)))
			.isTrue();
	}

	@Test
	void namesARecordWhoseValueIsTooLargeForAnIndexAsRefused() {
		// before: not a refusal, so the whole batch was retried for five minutes, holding its partitions
		assertThatExceptionOfType(BatchListenerFailedException.class)
			.isThrownBy(() -> BatchStores.storeFindingRefused(List.of("a", "huge", "c"), this::store))
			.satisfies((ex) -> {
				assertThat(ex.getIndex()).isEqualTo(1);
				assertThat(ex.getCause()).hasMessageContaining("SQL state 54000");
			});
		assertThat(this.stored).containsExactly("a");
	}

	@Test
	void takesAValueTheDatabaseCanNeverStoreAsNonRetryableButNotAConstraintOrAnOutage() {
		NonRetryableClassifier classifier = new NonRetryableClassifier(List.of());
		// a record listener's failures, as Spring translates them: the DLQ must not retry these on its policy
		assertThat(classifier.isNonRetryable(new DataIntegrityViolationException("x",
				new SQLException("invalid byte sequence for encoding \"UTF8\": 0x00", "22021")))).isTrue();
		assertThat(classifier.isNonRetryable(new DataIntegrityViolationException("x",
				new SQLException("Zero bytes may not occur in string parameters.", "22023")))).isTrue();
		assertThat(classifier.isNonRetryable(new DataAccessResourceFailureException("x",
				new SQLException("index row size 5064 exceeds btree version 4 maximum 2704", "54000")))).isTrue();
		// a row it refers to can come later; the database can come back
		assertThat(classifier.isNonRetryable(new DataIntegrityViolationException("x",
				new SQLException("insert violates foreign key constraint", "23503")))).isFalse();
		assertThat(classifier.isNonRetryable(new DataAccessResourceFailureException("gone",
				new SQLException("connection refused", "08006")))).isFalse();
	}

	@Test
	void leavesAnOutageToTheRetriesOfTheWholeBatch() {
		assertThatExceptionOfType(DataAccessResourceFailureException.class)
			.isThrownBy(() -> BatchStores.storeFindingRefused(List.of("a", "down"), this::store));
		assertThat(this.calls).hasSize(1);
		assertThat(this.stored).isEmpty();
	}

	@Test
	void storesNothingForAnEmptyBatch() {
		BatchStores.storeFindingRefused(List.of(), this::store);
		assertThat(this.calls).isEmpty();
	}

}
