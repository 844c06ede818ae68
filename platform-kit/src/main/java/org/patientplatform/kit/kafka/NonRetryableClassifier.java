package org.patientplatform.kit.kafka;

import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.events.InvalidEventException;

import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * Decides whether a failure can ever succeed on retry. Deserialization, validation and unknown event
 * types cannot, nor a value the database can never store ({@link #isNeverStorable}); neither can the
 * classes a service lists in {@code platform.kafka.failure.non-retryable}.
 * The classes in {@code platform.kafka.failure.dead-letter-at-once} are not retried in-process either, but
 * they can succeed later, so the DLQ retries them on its policy.
 */
public class NonRetryableClassifier {

	private final Set<String> classNames = new LinkedHashSet<>();

	/** Also skip the quick retries, but may succeed later: the DLQ retries them on its policy. */
	private final Set<String> deadLetteredAtOnce = new LinkedHashSet<>();

	public NonRetryableClassifier(List<String> configured) {
		this(configured, List.of());
	}

	/**
	 * @param configured classes that can never succeed on retry, beside the kit's own
	 * @param deadLetterAtOnce classes that skip the quick retries and that the DLQ may retry later
	 */
	public NonRetryableClassifier(List<String> configured, List<String> deadLetterAtOnce) {
		this.deadLetteredAtOnce.addAll(deadLetterAtOnce);
		this.classNames.add(InvalidEventException.class.getName());
		this.classNames.add(DeserializationException.class.getName());
		this.classNames.add(BatchStores.RefusedRecordException.class.getName());
		this.classNames.add("jakarta.validation.ConstraintViolationException");
		this.classNames.add("org.springframework.messaging.converter.MessageConversionException");
		this.classNames.add("org.springframework.kafka.support.converter.ConversionException");
		this.classNames.add("java.lang.ClassCastException");
		this.classNames.addAll(configured);
	}

	public boolean isNonRetryable(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
				if (this.classNames.contains(type.getName())) {
					return true;
				}
			}
			if (t instanceof SQLException sql && isNeverStorable(sql.getSQLState())) {
				return true;
			}
			if (t.getCause() == t) {
				break;
			}
		}
		return false;
	}

	/**
	 * True for a database refusal that the same record meets on every retry: a value the database cannot
	 * store (SQL state class 22: a NUL character, a number out of range, text too long for its column) or
	 * one too large for an index (54000). A constraint (class 23) is not among them: a row it waits for
	 * can come later.
	 */
	public static boolean isNeverStorable(@Nullable String sqlState) {
		return sqlState != null && (sqlState.startsWith("22") || sqlState.equals("54000"));
	}

	/** The classes that can never succeed on retry. */
	public Set<String> classNames() {
		return Set.copyOf(this.classNames);
	}

	/**
	 * The classes a listener does not retry in-process: those that can never succeed and those that only
	 * a later retry (the DLQ's) can mend.
	 */
	public Set<String> skippingQuickRetries() {
		Set<String> all = new LinkedHashSet<>(this.classNames);
		all.addAll(this.deadLetteredAtOnce);
		return Set.copyOf(all);
	}

}
