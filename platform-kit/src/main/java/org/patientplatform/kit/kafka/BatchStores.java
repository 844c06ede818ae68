package org.patientplatform.kit.kafka;

import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.listener.BatchListenerFailedException;

/**
 * Stores a batch listener's records in one call and, when the database refuses the data of the batch (a
 * constraint or a value it cannot store, {@link #refusedState}: not an outage), finds the record it
 * refuses: the records are then stored one at a time, and the first one refused is named by
 * {@link BatchListenerFailedException} with a {@link RefusedRecordException}. The records before it stay
 * stored and are committed, it goes to the DLQ at once (the exception is not retryable), and the records
 * after it come back in the next poll. Without this, one such record failed its whole batch, and after the
 * retries the valid records of the batch were dead-lettered with it.
 */
public final class BatchStores {

	private static final Logger log = LoggerFactory.getLogger(BatchStores.class);

	private BatchStores() {
	}

	/**
	 * @param items the batch's items, item {@code i} read from record {@code i} of the poll
	 * @param store stores a list of items in its own transaction
	 * @throws BatchListenerFailedException naming the first item the database refuses (the items before it
	 * are stored), or the item at which the database became unreachable while they were stored one by one
	 */
	public static <T> void storeFindingRefused(List<T> items, Consumer<List<T>> store) {
		storeFindingRefused(items, store, null);
	}

	/**
	 * As {@link #storeFindingRefused(List, Consumer)}, but a refused item is handed to {@code keepRefused}
	 * (which stores something in its place, e.g. the record as it came) and the batch goes on.
	 * @param keepRefused takes the index of a refused item and the SQL state; when it fails, the batch ends
	 * at that item as in an outage (the item is not lost: it comes again)
	 */
	public static <T> void storeFindingRefused(List<T> items, Consumer<List<T>> store,
			@Nullable RefusedItemHandler keepRefused) {
		if (items.isEmpty()) {
			return;
		}
		try {
			store.accept(items);
			return;
		}
		catch (RuntimeException ex) {
			String state = refusedState(ex);
			if (state == null) {
				throw ex;
			}
			log.warn("The database refused a batch of {} records (SQL state {}); storing them one by one",
					items.size(), state);
		}
		for (int index = 0; index < items.size(); index++) {
			try {
				store.accept(List.of(items.get(index)));
			}
			catch (RuntimeException ex) {
				String state = refusedState(ex);
				if (state == null) {
					// an outage while isolating: the records before it are stored; retried from here
					throw new BatchListenerFailedException("Could not store record " + index + " of the batch", ex,
							index);
				}
				if (keepRefused == null) {
					// the database's message can quote the record's values: only the SQL state and class go on
					throw new BatchListenerFailedException("The database refused record " + index + " of the batch",
							new RefusedRecordException(state, ex.getClass().getSimpleName()), index);
				}
				try {
					keepRefused.keep(index, state);
				}
				catch (RuntimeException kept) {
					throw new BatchListenerFailedException("Could not keep refused record " + index + " of the batch",
							kept, index);
				}
			}
		}
	}

	/** Keeps an item the database refused, in its place (see {@link #storeFindingRefused(List, Consumer, RefusedItemHandler)}). */
	@FunctionalInterface
	public interface RefusedItemHandler {

		/**
		 * @param index the item's index in the batch
		 * @param sqlState the SQL state of the refusal
		 */
		void keep(int index, String sqlState);

	}

	/**
	 * The SQL state of a refusal of the data in the cause chain, or null: a value the database can never
	 * store ({@link NonRetryableClassifier#isNeverStorable}: a 5,000-character id under a btree, a NUL) or a
	 * constraint (class 23).
	 */
	public static @Nullable String refusedState(@Nullable Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof SQLException sql && sql.getSQLState() != null
					&& (NonRetryableClassifier.isNeverStorable(sql.getSQLState()) || sql.getSQLState().startsWith("23"))) {
				return sql.getSQLState();
			}
			if (t.getCause() == t) {
				break;
			}
		}
		return null;
	}

	/**
	 * The database refused a record's data: it will refuse it again, so it is never retried. Carries the SQL
	 * state only, never the database's message (which can quote the values).
	 */
	public static class RefusedRecordException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		RefusedRecordException(String sqlState, String failure) {
			super("The database refused the record's data (SQL state " + sqlState + ", " + failure + ")");
		}

	}

}
