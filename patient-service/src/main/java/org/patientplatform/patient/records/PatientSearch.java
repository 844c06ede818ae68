package org.patientplatform.patient.records;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * What a staff search of patients asks, as SQL conditions: each criterion added is a clause, and a patient matches
 * every clause; a clause of several values matches a patient that any one of them matches (FHIR's search: repeated
 * parameters AND, comma separated values OR). A name matches by prefix, whatever its case and the accents of its
 * Latin letters (the database's {@code patient_name_key}), a given name either the first given name or the middle
 * names; an MRN or id exactly. A clause of no value matches no patient.
 */
public final class PatientSearch {

	static final String FAMILY_KEY = "patient_name_key(coalesce(family_name, '')) COLLATE \"C\"";

	static final String GIVEN_KEY = "patient_name_key(coalesce(given_name, '')) COLLATE \"C\"";

	/** The key of the middle names (given names after the first), of patients who have some (V14's index). */
	private static final String MIDDLE_KEY = "patient_name_key(middle_names) COLLATE \"C\"";

	private final List<String> clauses = new ArrayList<>();

	private final Map<String, Object> params = new HashMap<>();

	/** Family names that begin with one of the prefixes. */
	public PatientSearch familyStartsWith(Collection<String> prefixes) {
		return anyOf(prefixes.stream().map((prefix) -> keyStartsWith(FAMILY_KEY, prefix(prefix))).toList());
	}

	/** A given name (the first, or the middle names) that begins with one of the prefixes. */
	public PatientSearch givenStartsWith(Collection<String> prefixes) {
		return anyOf(prefixes.stream().map((prefix) -> givenKeyStartsWith(prefix(prefix))).toList());
	}

	/** A family or a given name (the first, or the middle names) that begins with one of the prefixes. */
	public PatientSearch nameStartsWith(Collection<String> prefixes) {
		return anyOf(prefixes.stream().map((prefix) -> {
			String name = prefix(prefix);
			return keyStartsWith(FAMILY_KEY, name) + " OR " + givenKeyStartsWith(name);
		}).toList());
	}

	/** The first given name or the middle names begin with the prefix bound as {@code name}. */
	private static String givenKeyStartsWith(String name) {
		return keyStartsWith(GIVEN_KEY, name) + " OR (middle_names IS NOT NULL AND " + keyStartsWith(MIDDLE_KEY, name)
				+ ")";
	}

	/** Born on a day in one of the ranges. */
	public PatientSearch bornIn(Collection<DateRange> ranges) {
		List<String> any = new ArrayList<>();
		for (DateRange range : ranges) {
			List<String> bounds = new ArrayList<>();
			if (range.from() != null) {
				bounds.add("birth_date >= :" + param(range.from()));
			}
			if (range.until() != null) {
				bounds.add("birth_date < :" + param(range.until()));
			}
			any.add(bounds.isEmpty() ? "birth_date IS NOT NULL" : String.join(" AND ", bounds));
		}
		return anyOf(any);
	}

	/** Born on no day of the range: the patient's birth date is known, and outside it. */
	public PatientSearch bornOutside(DateRange range) {
		List<String> outside = new ArrayList<>();
		if (range.from() != null) {
			outside.add("birth_date < :" + param(range.from()));
		}
		if (range.until() != null) {
			outside.add("birth_date >= :" + param(range.until()));
		}
		return anyOf(outside);
	}

	/** Of one of the sexes. */
	public PatientSearch sexIn(Collection<Sex> sexes) {
		return anyOf(sexes.stream().map((sex) -> "sex = :" + param(sex.code())).toList());
	}

	/** With one of the medical record numbers. */
	public PatientSearch mrnIn(Collection<String> mrns) {
		return anyOf(mrns.stream().map((mrn) -> "mrn = :" + param(mrn)).toList());
	}

	/** With one of the ids. */
	public PatientSearch idIn(Collection<UUID> ids) {
		return anyOf(ids.stream().map((id) -> "id = :" + param(id)).toList());
	}

	/** Whether no criterion was added: a search of every patient. */
	public boolean isEmpty() {
		return this.clauses.isEmpty();
	}

	/** The clauses, each in parentheses, joined by AND; {@code TRUE} for none. */
	String where() {
		return this.clauses.isEmpty() ? "TRUE" : String.join(" AND ", this.clauses);
	}

	/** The values of the clauses' named parameters. */
	Map<String, Object> params() {
		return Map.copyOf(this.params);
	}

	private PatientSearch anyOf(List<String> conditions) {
		this.clauses.add(conditions.isEmpty() ? "FALSE"
				: "(" + String.join(" OR ", conditions.stream().map((condition) -> "(" + condition + ")").toList())
						+ ")");
		return this;
	}

	/**
	 * A name prefix as a bound parameter, its name returned; composed as the stored names are ({@link NameText}): a
	 * decomposed {@code bélanger} found nothing.
	 */
	private String prefix(String prefix) {
		return param(NameText.composed(prefix));
	}

	/**
	 * The range [key, key || U+10FFFF) in code point order of the prefix bound as {@code name}: a btree serves it, as
	 * it would not LIKE 'key%'.
	 */
	private static String keyStartsWith(String column, String name) {
		return column + " >= patient_name_key(:" + name + ") COLLATE \"C\" AND " + column + " < (patient_name_key(:"
				+ name + ") || chr(1114111)) COLLATE \"C\"";
	}

	private String param(Object value) {
		String name = "p" + this.params.size();
		this.params.put(name, value);
		return name;
	}

	/**
	 * Days from one to another.
	 *
	 * @param from the first day, or null for no lower bound
	 * @param until the first day after the range, or null for no upper bound
	 */
	public record DateRange(@Nullable LocalDate from, @Nullable LocalDate until) {
	}

}
