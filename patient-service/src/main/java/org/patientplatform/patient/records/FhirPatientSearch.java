package org.patientplatform.patient.records;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.Page;

import org.springframework.web.util.UriComponentsBuilder;

/**
 * A FHIR R4 search of patients as its query parameters state it, read into a {@link PatientSearch}. FHIR's rules: a
 * parameter repeated must match each time (AND), values separated by commas match any one (OR), an empty value is
 * ignored. A value is read as FHIR's "Escaping Search Parameters" has it: {@code \,} {@code \$} {@code \|} and
 * {@code \\} are a comma, a dollar, a bar and a backslash that separate nothing; a value is cut at each unescaped
 * comma, a token's ({@code identifier}, {@code gender}) system from its code at the first unescaped bar, and only
 * then unescaped. A backslash before any other character, or at the end, escapes nothing: the value is refused
 * rather than read with the backslash kept ({@code E\G} would find the MRN {@code E\G} where FHIR writes it
 * {@code E\\G}). Strict where FHIR lets a server choose: a parameter or modifier this server does not know is an error
 * that names it, not ignored, so that a mistyped criterion never widens a search of patient records to patients it
 * did not ask for.
 */
final class FhirPatientSearch {

	/** The criteria, in the order the audit names them. */
	private static final List<String> CRITERIA = List.of("identifier", "family", "given", "name", "birthdate",
			"gender", "_id");

	/** The criteria that match a name. */
	private static final Set<String> NAMES = Set.of("family", "given", "name");

	/** What else a search may say: the page, and the format of the answer ({@link FhirFormat}). */
	private static final Set<String> CONTROLS = Set.of("_count", "_cursor", "_format", "_pretty");

	private static final int MAX_VALUE_LENGTH = 250;

	private static final String GENDER_SYSTEM = "http://hl7.org/fhir/administrative-gender";

	private static final Pattern DATE = Pattern
		.compile("(eq|ne|gt|ge|lt|le)?(\\d{4})(?:-(\\d{2})(?:-(\\d{2}))?)?");

	/** A value of nothing but the apostrophes the name key leaves out. */
	private static final Pattern ONLY_APOSTROPHES = Pattern.compile("['\u2019\u2018\u02BC`\u00B4]+");

	/** The criteria whose values are tokens, {@code [system|]code}. */
	private static final Set<String> TOKENS = Set.of("identifier", "gender");

	private static final String SEARCHED_BY = "Patient is searched by identifier, family, given, name, birthdate, "
			+ "gender and _id, paged by _count.";

	private final PatientSearch criteria = new PatientSearch();

	private final List<String> names = new ArrayList<>();

	private final Map<String, String[]> parameters = new LinkedHashMap<>();

	private Patients.@Nullable SearchCursor after;

	private @Nullable String cursorText;

	/** The criteria's fingerprint, which this search's cursors carry ({@link #fingerprint}). */
	private String fingerprint = "";

	private int count = Page.DEFAULT_LIMIT;

	private FhirPatientSearch() {
	}

	/**
	 * @param parameters the query's parameters
	 * @param mrnSystem the identifier system of MRNs
	 * @throws Invalid when a parameter is unknown or its value is not one this search takes, or no criterion is given
	 */
	static FhirPatientSearch of(Map<String, String[]> parameters, String mrnSystem) {
		FhirPatientSearch search = new FhirPatientSearch();
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			String name = parameter.getKey();
			if (!CRITERIA.contains(name) && !CONTROLS.contains(name)) {
				String criterion = (name.indexOf(':') > 0) ? name.substring(0, name.indexOf(':')) : "";
				throw CRITERIA.contains(criterion)
						? new Invalid(IssueType.NOTSUPPORTED, "The modifier of " + name + " is not supported"
								+ (NAMES.contains(criterion) ? ": a name matches by its start, whatever its case and accents. "
										: ". ")
								+ SEARCHED_BY)
						: new Invalid(IssueType.NOTSUPPORTED, "Unknown search parameter " + name + ". " + SEARCHED_BY);
			}
			if (!name.equals("_cursor")) {
				search.parameters.put(name, parameter.getValue());
			}
		}
		List<String> asked = new ArrayList<>();
		for (String name : CRITERIA) {
			List<String> each = new ArrayList<>();
			for (String value : parameters.getOrDefault(name, new String[0])) {
				List<Value> anyOf = values(name, value);
				if (!anyOf.isEmpty()) {
					search.add(name, anyOf, mrnSystem);
					if (!search.names.contains(name)) {
						search.names.add(name);
					}
					each.add(anyOf.stream()
						.map(Value::normalized)
						.distinct()
						.sorted()
						.collect(Collectors.joining("\u0001")));
				}
			}
			if (!each.isEmpty()) {
				asked.add(name + "\u0000" + each.stream().sorted().collect(Collectors.joining("\u0002")));
			}
		}
		search.fingerprint = fingerprint(String.join("\u0003", asked));
		if (search.criteria.isEmpty()) {
			throw new Invalid(IssueType.REQUIRED, "Search by at least one of identifier=[system|]value, family, "
					+ "given, name, birthdate, gender or _id. " + SEARCHED_BY);
		}
		String count = single(parameters, "_count");
		if (count != null) {
			search.count = count(count);
		}
		String cursor = single(parameters, "_cursor");
		if (cursor != null) {
			List<String> parts;
			UUID id;
			try {
				parts = Page.decode(cursor, 2);
				id = UUID.fromString(parts.get(0));
			}
			catch (Page.InvalidCursorException | IllegalArgumentException ex) {
				throw new Invalid(IssueType.INVALID, "The _cursor is not one of this search's pages; start again "
						+ "without one.");
			}
			if (!parts.get(1).equals(search.fingerprint)) {
				// the keyset of another search's patient: it paged this search from a place in another list
				throw new Invalid(IssueType.INVALID, "The _cursor belongs to another search, whose criteria are not "
						+ "this one's; follow the next link as it is, or start again without a _cursor.");
			}
			search.after = new Patients.SearchCursor(id);
			search.cursorText = cursor;
		}
		return search;
	}

	/**
	 * The cursor of the page that begins after {@code at}: the patient's id and this search's fingerprint, so that it
	 * pages this search alone.
	 */
	String cursor(Patients.SearchCursor at) {
		return Page.encode(List.of(at.id().toString(), this.fingerprint));
	}

	/**
	 * A short hash of the criteria as read (each value unescaped, the values of a parameter and its repetitions in
	 * any order): two searches with the same fingerprint find the same patients. It says nothing the next link's
	 * criteria do not.
	 */
	private static String fingerprint(String criteria) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(criteria.getBytes(StandardCharsets.UTF_8));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 9));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is in every JDK", ex);
		}
	}

	/** The criteria as SQL. */
	PatientSearch criteria() {
		return this.criteria;
	}

	/** The names of the criteria given, comma separated: what the audit records of the search. */
	String names() {
		return String.join(",", this.names);
	}

	/** The page's size. */
	int count() {
		return this.count;
	}

	/** Where the previous page ended, or null for the first page. */
	Patients.@Nullable SearchCursor after() {
		return this.after;
	}

	/** The cursor the query named, or null. */
	@Nullable String cursorText() {
		return this.cursorText;
	}

	/** The search's address with the page that begins after {@code cursor}, or the first page for null. */
	String link(String base, @Nullable String cursor) {
		UriComponentsBuilder link = UriComponentsBuilder.fromUriString(base);
		this.parameters.forEach((name, values) -> link.queryParam(name, (Object[]) values));
		if (cursor != null) {
			link.queryParam("_cursor", cursor);
		}
		return link.encode().toUriString();
	}

	private void add(String name, List<Value> anyOf, String mrnSystem) {
		List<String> codes = anyOf.stream().map(Value::code).toList();
		switch (name) {
			case "identifier" -> this.criteria
				.mrnIn(anyOf.stream().flatMap((token) -> Stream.ofNullable(mrn(token, mrnSystem))).toList());
			case "family" -> this.criteria.familyStartsWith(names(name, codes));
			case "given" -> this.criteria.givenStartsWith(names(name, codes));
			case "name" -> this.criteria.nameStartsWith(names(name, codes));
			case "birthdate" -> birthDate(codes);
			case "gender" -> {
				Set<Sex> sexes = EnumSet.noneOf(Sex.class);
				anyOf.forEach((token) -> sexes.addAll(sexes(token)));
				this.criteria.sexIn(sexes);
			}
			case "_id" -> this.criteria.idIn(codes.stream().flatMap((id) -> Stream.ofNullable(uuid(id))).toList());
			default -> throw new IllegalStateException(name);
		}
	}

	private void birthDate(List<String> anyOf) {
		List<PatientSearch.DateRange> ranges = new ArrayList<>();
		for (String value : anyOf) {
			Matcher date = DATE.matcher(value);
			if (!date.matches()) {
				// the value is not repeated: it may be someone's birth date
				throw new Invalid(IssueType.INVALID, "birthdate is [eq|ne|gt|ge|lt|le]YYYY[-MM[-DD]], such as "
						+ "1815-12-10, 1815-12 or ge1940, with no time");
			}
			LocalDate from;
			LocalDate until;
			try {
				int year = Integer.parseInt(date.group(2));
				if (date.group(3) == null) {
					from = LocalDate.of(year, 1, 1);
					until = from.plusYears(1);
				}
				else if (date.group(4) == null) {
					from = LocalDate.of(year, Integer.parseInt(date.group(3)), 1);
					until = from.plusMonths(1);
				}
				else {
					from = LocalDate.of(year, Integer.parseInt(date.group(3)), Integer.parseInt(date.group(4)));
					until = from.plusDays(1);
				}
			}
			catch (DateTimeException ex) {
				throw new Invalid(IssueType.INVALID, "birthdate names a month or a day that no calendar has");
			}
			String prefix = (date.group(1) != null) ? date.group(1) : "eq";
			if (prefix.equals("ne")) {
				if (anyOf.size() > 1) {
					throw new Invalid(IssueType.NOTSUPPORTED, "birthdate=ne… cannot be one of several values: repeat "
							+ "the parameter instead (birthdate=ne1815&birthdate=ne1816)");
				}
				this.criteria.bornOutside(new PatientSearch.DateRange(from, until));
				return;
			}
			ranges.add(switch (prefix) {
				case "gt" -> new PatientSearch.DateRange(until, null);
				case "ge" -> new PatientSearch.DateRange(from, null);
				case "lt" -> new PatientSearch.DateRange(null, from);
				case "le" -> new PatientSearch.DateRange(null, until);
				default -> new PatientSearch.DateRange(from, until);
			});
		}
		this.criteria.bornIn(ranges);
	}

	/**
	 * The values of a name criterion. One of nothing but apostrophes is refused: the name key leaves them out (V15:
	 * O'Brien is found as obrien), so its prefix would be empty and match every patient.
	 */
	private static List<String> names(String name, List<String> anyOf) {
		for (String value : anyOf) {
			if (ONLY_APOSTROPHES.matcher(value).matches()) {
				throw new Invalid(IssueType.INVALID, name + " " + quoted(value) + " holds no letter: a name matches "
						+ "whatever its apostrophes, so it would match every name");
			}
		}
		return anyOf;
	}

	/** The MRN of an identifier token, or null when it names another system, or no system as in |value. */
	private static @Nullable String mrn(Value token, String mrnSystem) {
		if (token.system() == null) {
			return token.code();
		}
		return (token.system().equals(mrnSystem) && !token.code().isBlank()) ? token.code() : null;
	}

	/** The sexes FHIR's administrative gender names ({@link FhirPatients#gender}, read backwards). */
	private static Set<Sex> sexes(Value token) {
		if (token.system() != null && !token.system().isEmpty() && !token.system().equals(GENDER_SYSTEM)) {
			return Set.of();
		}
		String code = token.code();
		return switch (code) {
			case "male" -> EnumSet.of(Sex.MALE);
			case "female" -> EnumSet.of(Sex.FEMALE);
			case "other" -> EnumSet.of(Sex.OTHER, Sex.AMBIGUOUS);
			case "unknown" -> EnumSet.of(Sex.UNKNOWN, Sex.NOT_APPLICABLE);
			default -> throw new Invalid(IssueType.INVALID,
					"gender is male, female, other or unknown, not " + quoted(code));
		};
	}

	private static @Nullable UUID uuid(String id) {
		try {
			return UUID.fromString(id);
		}
		catch (IllegalArgumentException ex) {
			// a FHIR id is any string: one that is no UUID names no patient here
			return null;
		}
	}

	/**
	 * A parameter's comma separated values, trimmed, the empty ones left out: a token's cut into its system and code at
	 * its first unescaped bar, then each unescaped.
	 * @throws Invalid when a value holds a backslash that escapes nothing, is too long or holds a NUL
	 */
	private static List<Value> values(String name, String value) {
		List<Value> values = new ArrayList<>();
		for (String part : split(value, ',', false)) {
			String escaped = part.strip();
			List<String> sides = TOKENS.contains(name) ? split(escaped, '|', true) : List.of(escaped);
			Value one = (sides.size() == 2) ? new Value(unescape(name, sides.get(0)), unescape(name, sides.get(1)))
					: new Value(null, unescape(name, escaped));
			for (String text : Stream.of(one.system(), one.code()).flatMap(Stream::ofNullable).toList()) {
				if (text.length() > MAX_VALUE_LENGTH) {
					throw new Invalid(IssueType.INVALID, name + " is longer than " + MAX_VALUE_LENGTH + " characters");
				}
				if (text.indexOf('\u0000') >= 0) {
					// no name or identifier holds one, and the database refuses it in a query
					throw new Invalid(IssueType.INVALID, name + " holds a NUL character (U+0000)");
				}
			}
			if (one.system() != null || !one.code().isEmpty()) {
				values.add(one);
			}
		}
		return values;
	}

	/**
	 * The text cut at each {@code separator} no backslash escapes (at the first alone when {@code once}), the parts
	 * still escaped: a backslash escapes the character after it, so {@code a\\,b} is cut after its escaped backslash.
	 */
	static List<String> split(String text, char separator, boolean once) {
		List<String> parts = new ArrayList<>();
		int start = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\\') {
				i++;
			}
			else if (c == separator && !(once && !parts.isEmpty())) {
				parts.add(text.substring(start, i));
				start = i + 1;
			}
		}
		parts.add(text.substring(start));
		return parts;
	}

	/**
	 * A value's escapes read: {@code \,} {@code \$} {@code \|} and {@code \\} are the character they escape.
	 * @throws Invalid for a backslash before another character or at the end, which FHIR gives no meaning: kept, it
	 *     would search for a value other than the one a client escaping by FHIR's rules means ({@code E\G} for the MRN
	 *     written {@code E\\G})
	 */
	static String unescape(String name, String escaped) {
		if (escaped.indexOf('\\') < 0) {
			return escaped;
		}
		StringBuilder text = new StringBuilder(escaped.length());
		for (int i = 0; i < escaped.length(); i++) {
			char c = escaped.charAt(i);
			if (c != '\\') {
				text.append(c);
				continue;
			}
			char next = (i + 1 < escaped.length()) ? escaped.charAt(i + 1) : 0;
			if (next != ',' && next != '$' && next != '|' && next != '\\') {
				throw new Invalid(IssueType.INVALID, name + " holds a backslash that escapes nothing: in a search value "
						+ "\\, \\$ \\| and \\\\ stand for , $ | and \\ (FHIR's escaping), and a backslash is written \\\\");
			}
			text.append(next);
			i++;
		}
		return text.toString();
	}

	private static @Nullable String single(Map<String, String[]> parameters, String name) {
		String[] values = parameters.get(name);
		if (values == null || values.length == 0) {
			return null;
		}
		if (values.length > 1) {
			throw new Invalid(IssueType.INVALID, name + " is given " + values.length + " times; give it once");
		}
		return values[0].isBlank() ? null : values[0].strip();
	}

	private static int count(String value) {
		try {
			int count = Integer.parseInt(value);
			if (count >= 1) {
				return Math.min(count, Page.MAX_LIMIT);
			}
		}
		catch (NumberFormatException ex) {
			if (value.matches("\\d+")) {
				// a whole number too large for an int: the most a page holds, as any count above it
				return Page.MAX_LIMIT;
			}
		}
		throw new Invalid(IssueType.INVALID, "_count is a whole number from 1 (at most " + Page.MAX_LIMIT
				+ " are served), not " + quoted(value));
	}

	private static String quoted(String value) {
		String shown = (value.length() > 40) ? value.substring(0, 40) + "…" : value;
		return "'" + shown + "'";
	}

	/**
	 * One of a parameter's values, unescaped.
	 *
	 * @param system a token's system, the text before its first unescaped bar (empty for {@code |code}); null when
	 *     it has no bar, or the parameter is no token
	 * @param code the value, or a token's code
	 */
	record Value(@Nullable String system, String code) {

		/** The value as the fingerprint reads it: a token's system, if it has one, apart from its code. */
		String normalized() {
			return (this.system != null) ? "|" + this.system + "\u0004" + this.code : this.code;
		}

	}

	/** A search this server cannot run, and why: a 400 OperationOutcome. */
	static final class Invalid extends RuntimeException {

		private final IssueType type;

		Invalid(IssueType type, String message) {
			super(message);
			this.type = type;
		}

		IssueType type() {
			return this.type;
		}

	}

}
