package org.patientplatform.patient.lis;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.IllformedLocaleException;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.Version;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.v25.datatype.CX;
import ca.uhn.hl7v2.model.v25.datatype.EI;
import ca.uhn.hl7v2.model.v25.datatype.HD;
import ca.uhn.hl7v2.model.v25.datatype.XAD;
import ca.uhn.hl7v2.model.v25.datatype.XPN;
import ca.uhn.hl7v2.model.v25.datatype.XTN;
import ca.uhn.hl7v2.model.v25.segment.MRG;
import ca.uhn.hl7v2.model.v25.segment.MSH;
import ca.uhn.hl7v2.model.v25.segment.OBR;
import ca.uhn.hl7v2.model.v25.segment.ORC;
import ca.uhn.hl7v2.model.v25.segment.PID;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.patient.orders.LinkTestOrders;
import org.patientplatform.patient.orders.RecordTestResults;
import org.patientplatform.patient.orders.TestOrderStatus;
import org.patientplatform.patient.records.AssigningAuthority;
import org.patientplatform.patient.records.BirthDate;
import org.patientplatform.patient.records.NameParts;
import org.patientplatform.patient.records.PlainText;
import org.patientplatform.patient.records.PostalAddress;
import org.patientplatform.patient.records.RecordDemographics;
import org.patientplatform.patient.records.RecordDemographics.Part;
import org.patientplatform.patient.records.Sex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the value of an LIS record (HL7 v2 ER7 text, v2.3 to v2.5.1, parsed into the v2.5 model) as a
 * {@link LisMessage}. Parsing is lenient about what this service does not use (no HAPI validation
 * rules, unknown segments kept) and strict about what it does: MSH-9, MSH-10, PID-3 and PID-7 must make
 * sense, and every OBR of an order or result message must carry an order number and a test code. Of a
 * result message only the orders' codes, statuses and times are read: never an OBX, a test name or a
 * comment. Anything else throws {@link InvalidEventException}, whose message names the message type,
 * control id and HAPI exception class at most: never a field value, since they are patient data.
 * Thread-safe.
 */
class Hl7MessageReader {

	/**
	 * Message types whose PID is recorded as the patient's demographics: register (A04) and update (A08),
	 * and the admission and person messages an ADT feed sends as well (admit A01, pre-admit A05, add and
	 * update person information A28 and A31), which carry the same PID.
	 */
	static final Set<String> DEMOGRAPHICS = Set.of("ADT^A01", "ADT^A04", "ADT^A05", "ADT^A08", "ADT^A28",
			"ADT^A31");

	/** Order messages: each OBR links an order to the patient. */
	static final Set<String> ORDERS = Set.of("ORM^O01", "OML^O21");

	/** Result messages: each OBR reports the state of an order's result. */
	static final Set<String> RESULTS = Set.of("ORU^R01");

	/**
	 * Merges: each MRG's patient is merged into the patient of the PID before it. A40 (merge patient identifier
	 * list), and the older A34 (merge patient ID only) and A36 (patient ID and account number) that LIS still send
	 * with the same PID and MRG-1: they were kept as unhandled, and the patients not merged.
	 */
	static final Set<String> MERGES = Set.of("ADT^A40", "ADT^A34", "ADT^A36");

	/** ORC-1 order control codes that cancel or discontinue an order. */
	/**
	 * The longest identifier (an MRN, an order number, a test code) taken: the REST lookup by MRN takes as much, and
	 * the database's indexes far more.
	 */
	static final int MAX_IDENTIFIER_LENGTH = 250;

	/**
	 * The longest part of a name (PID-5's family, given and middle names, prefix, suffix) taken: HL7 v2.5 gives a
	 * family name 50 characters. A PostgreSQL index entry holds at most 2,704 bytes, and the family name's index holds
	 * it with the given name, each at most four bytes a character.
	 */
	static final int MAX_NAME_LENGTH = 250;

	/**
	 * The longest message control id (MSH-10) taken: HL7 v2.5's length of the field, whose type is ST, any printable
	 * text (a LIS's {@code LAB:2026:0001}, {@code MSG 0002}, {@code A04#0003}).
	 */
	static final int MAX_CONTROL_ID_LENGTH = 199;

	/** The rule of a message control id, as its refusal states it. */
	private static final String CONTROL_ID_RULE = "1 to " + MAX_CONTROL_ID_LENGTH + " printable characters";

	private static final Set<String> CANCELLING = Set.of("CA", "OC", "CR", "DC", "OD", "DR");

	/** ISO 639-2 codes to the ISO 639-1 ones BCP 47 prefers, where there is one. */
	private static final Map<String, String> TWO_LETTER_LANGUAGES = Arrays.stream(Locale.getISOLanguages())
		.collect(Collectors.toMap((code) -> Locale.of(code).getISO3Language(), Function.identity(),
				(first, second) -> first));

	/**
	 * ISO 639-2's bibliographic codes (which many feeds send: FRE, GER, CHI) to its terminology ones, which the
	 * two-letter map above knows: the twenty codes in which the two differ.
	 */
	private static final Map<String, String> TERMINOLOGY_LANGUAGES = Map.ofEntries(Map.entry("alb", "sqi"),
			Map.entry("arm", "hye"), Map.entry("baq", "eus"), Map.entry("bur", "mya"), Map.entry("chi", "zho"),
			Map.entry("cze", "ces"), Map.entry("dut", "nld"), Map.entry("fre", "fra"), Map.entry("geo", "kat"),
			Map.entry("ger", "deu"), Map.entry("gre", "ell"), Map.entry("ice", "isl"), Map.entry("mac", "mkd"),
			Map.entry("mao", "mri"), Map.entry("may", "msa"), Map.entry("per", "fas"), Map.entry("rum", "ron"),
			Map.entry("slo", "slk"), Map.entry("tib", "bod"), Map.entry("wel", "cym"));

	private static final String HL7_NULL = "\"\"";

	/** XTN-3 equipment types (HL7 table 0202) that are no phone: fax, modem, beeper, teletypes, X.400, Internet. */
	private static final Set<String> NOT_A_PHONE = Set.of("FX", "MD", "BP", "TDD", "TTY", "X.400", "INTERNET");

	/** XTN-2 use codes (HL7 table 0201) of numbers that are not the patient's phone: beeper, emergency contact. */
	private static final Set<String> NOT_THE_PATIENTS_PHONE = Set.of("BPN", "EMR");

	/** How far ahead of this service's clock a message's MSH-7 may be (the LIS's clock may run a little fast). */
	static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(15);

	/** HL7's hexadecimal escape, {@code \Xhh…\}: bytes of the message's character set. */
	private static final Pattern HEX_ESCAPE = Pattern.compile("\\\\X((?:[0-9A-Fa-f]{2})+)\\\\");

	/**
	 * The character set a message's hexadecimal escapes are read in, while it is read ({@link #readText}): the one its
	 * MSH-18 names when that is another ISO 8859 part or a Chinese or Korean set. Null otherwise: UTF-8 when the bytes
	 * are, else windows-1252 ({@link #hex}). Before, every escape was read so: in a message declared ISO 8859-5,
	 * {@code \XD2\} (Cyrillic в) was stored as Ò.
	 */
	private static final ThreadLocal<@Nullable Charset> ESCAPES = new ThreadLocal<>();

	/**
	 * The offset the message's MSH-7 states, while the message is read, when the configured zone has another offset
	 * at that time: HL7 reads a time without an offset as the sender's local time, and MSH-7 says what that is.
	 */
	private static final ThreadLocal<@Nullable ZoneOffset> SENDER_OFFSET = new ThreadLocal<>();

	/** The version MSH-12 names, while a message of a version later than HAPI's is read as HAPI's latest. */
	private static final ThreadLocal<@Nullable String> NAMED_VERSION = new ThreadLocal<>();

	/**
	 * While a message is read, the identifier each of its PIDs and MRGs is read as naming (PID-3, MRG-1), chosen once
	 * ({@link #mrnIdentifier}), and the choices made among several MR identifiers, in the message's order.
	 */
	private static final ThreadLocal<@Nullable Chosen> CHOSEN = new ThreadLocal<>();

	/** The identifiers chosen while a message is read, by segment, and the choices among several MR identifiers. */
	private record Chosen(Map<Segment, @Nullable CX> identifiers, List<MrnChooser.Choice> choices) {

		Chosen() {
			this(new IdentityHashMap<>(), new ArrayList<>());
		}

	}

	/**
	 * The published HL7 v2 versions after HAPI's latest (2.8.1): 2.8.2, 2.9 and 2.9.1. They add to 2.8.1 and keep what
	 * it has, so the fields this service reads are where they were; they were refused as "not an HL7 v2 version".
	 */
	private static final Pattern LATER_VERSION = Pattern.compile("2\\.(?:8\\.[2-9]|9(?:\\.\\d)?)");

	/**
	 * HL7's formatting escapes ({@code \.br\} a line break, {@code \.sp\} skipped lines, {@code \.in\} an indent…)
	 * with the spaces around them: each separates what is on either side ("1 Main St\.br\Apt 2").
	 */
	private static final Pattern FORMATTING_ESCAPE = Pattern.compile("\\s*\\\\\\.[a-z]{2}[+-]?\\d*\\\\\\s*");

	/** HL7's other escapes HAPI leaves: highlighting ({@code \H\}, {@code \N\}) and character sets. */
	private static final Pattern OTHER_ESCAPE = Pattern.compile("\\\\(?:H|N|[CMZ][0-9A-Za-z]*)\\\\");

	/** An ISO 2022 run of two-byte characters: from {@code ESC $} to the next {@code ESC (}, or the end. */
	private static final Pattern TWO_BYTE_RUN = Pattern.compile("\\x1B\\$[^\\x1B]*(?:\\x1B[^(][^\\x1B]*)*");

	/** ISO 8859-1 with the letters and signs Windows puts at 0x80-0x9F: how text labelled 8859/1 is read. */
	private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

	private static final Logger log = LoggerFactory.getLogger(Hl7MessageReader.class);

	/**
	 * The character set names a refusal may quote from MSH-18: HL7 table 0211's codes, and the other spellings of UTF-8
	 * and UTF-16 this reader takes. MSH-18 may hold anything else, a patient's name or MRN among it (a sender whose
	 * segments are not separated by CR runs its PID into the MSH): a refusal names the field, never such a value.
	 */
	private static final Set<String> CHARACTER_SET_NAMES = Set.of("ASCII", "8859/1", "8859/2", "8859/3", "8859/4",
			"8859/5", "8859/6", "8859/7", "8859/8", "8859/9", "8859/10", "8859/11", "8859/12", "8859/13", "8859/14",
			"8859/15", "ISO IR6", "ISO IR14", "ISO IR87", "ISO IR100", "ISO IR159", "GB 18030-2000", "KS X 1001",
			"CNS 11643-1992", "BIG-5", "UNICODE", "UNICODE UTF-8", "UNICODE UTF-16", "UNICODE UTF-32", "UTF-8", "UTF8",
			"UTF-16", "UTF16");

	/**
	 * The IANA and Java names of the character sets this reader reads, which interface engines often send in MSH-18
	 * for table 0211's codes, to those codes: {@code ISO-8859-1}, {@code ISO8859-1}, {@code ISO_8859-1},
	 * {@code ISO8859_1} and {@code LATIN1} are {@code 8859/1} (they were refused as a set this service does not read),
	 * and so for the other ISO 8859 parts it reads (2 to 9 and 15; {@code LATIN2} to {@code LATIN4}, {@code LATIN5} is
	 * part 9, {@code LATIN9} part 15), {@code US-ASCII}, {@code GB18030}, {@code BIG5} and {@code EUC-KR} (KS X 1001's
	 * encoding). Upper case, as MSH-18 is read.
	 */
	private static final Map<String, String> CHARACTER_SET_ALIASES = characterSetAliases();

	private static Map<String, String> characterSetAliases() {
		Map<String, String> aliases = new LinkedHashMap<>();
		for (String part : List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "15")) {
			for (String spelling : List.of("ISO-8859-", "ISO_8859-", "ISO8859-", "ISO8859_", "ISO_8859_")) {
				aliases.put(spelling + part, "8859/" + part);
			}
		}
		aliases.putAll(Map.of("LATIN1", "8859/1", "LATIN2", "8859/2", "LATIN3", "8859/3", "LATIN4", "8859/4", "LATIN5",
				"8859/9", "LATIN9", "8859/15", "US-ASCII", "ASCII", "GB18030", "GB 18030-2000", "BIG5", "BIG-5",
				"EUC-KR", "KS X 1001"));
		return Map.copyOf(aliases);
	}

	/**
	 * A version id a refusal may quote from MSH-12: dotted numbers of at most two digits each, a V before them or not
	 * (2.3.0, 2.10, V2.5). Anything else there, a name or an MRN run into the MSH, is not quoted.
	 */
	private static final Pattern VERSION_SHAPE = Pattern.compile("[Vv]?[0-9]{1,2}(?:\\.[0-9]{1,2}){0,3}");

	/** A message type, code^trigger; the type of a message HAPI could not parse is named only when it is one. */
	private static final Pattern SAFE_TOKEN = Pattern.compile("[A-Za-z0-9_.\\-^]{1,64}");

	/**
	 * What a message control id, printable text, holds none of: control characters (C0, DEL, C1: a line break would
	 * forge a log line), invisible format characters (a bidirectional override would show a log line, an audit
	 * record or a dead letter's reason other than it is), line and paragraph separators, a surrogate without its pair,
	 * and U+FFFE and U+FFFF.
	 */
	private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}\\uFFFE\\uFFFF]");

	private static final Pattern DTM = Pattern
		.compile("(\\d{4})(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(?:\\.(\\d{1,4}))?([+-]\\d{4})?");

	private final PipeParser parser;

	private final ZoneId defaultZone;

	private final Clock clock;

	private final MrnChooser mrns;

	Hl7MessageReader(ZoneId defaultZone) {
		this(defaultZone, Clock.systemUTC());
	}

	Hl7MessageReader(ZoneId defaultZone, MrnChooser mrns) {
		this(defaultZone, Clock.systemUTC(), mrns);
	}

	Hl7MessageReader(ZoneId defaultZone, Clock clock) {
		this(defaultZone, clock, MrnChooser.FIRST);
	}

	/**
	 * @param mrns which of several MR identifiers of a PID-3 or an MRG-1 is the MRN ({@link MrnChooser}: one that names
	 * a patient of this service first)
	 */
	Hl7MessageReader(ZoneId defaultZone, Clock clock, MrnChooser mrns) {
		HapiContext context = new DefaultHapiContext(new CanonicalModelClassFactory("2.5"));
		// the LIS is not ours to correct: HAPI's rules (lengths, formats of fields this service never reads)
		// would reject messages over details that do not matter here; the fields used are checked below
		context.setValidationContext(ValidationContextFactory.noValidation());
		// OBX-2 types the result value, which is never read: an OBX-5 without an OBX-2, or with a type that is not
		// HL7's ("nm", "NUM"), made HAPI refuse the whole message; such a value is taken as a string instead
		context.getParserConfiguration().setDefaultObx2Type("ST");
		context.getParserConfiguration().setInvalidObx2Type("ST");
		this.parser = context.getPipeParser();
		this.defaultZone = defaultZone;
		this.clock = clock;
		this.mrns = mrns;
	}

	LisMessage read(byte @Nullable [] value) {
		return read(value, (type) -> {
		});
	}

	/**
	 * Reads a record's value; {@code typeRead} is told its message type (MSH-9, {@code ADT^A04}) as soon as it is read,
	 * before the fields are: a message refused after that is one of its type that broke a rule (a birth date that
	 * is no date), not a record that could not be read as HL7.
	 */
	LisMessage read(byte @Nullable [] value, Consumer<String> typeRead) {
		if (value == null || value.length == 0) {
			throw new InvalidEventException("LIS record has no HL7 message");
		}
		return readText(decode(value), typeRead);
	}

	/**
	 * Reads a message's text, already decoded (a message kept as text, read again: its MSH-18 named the
	 * set its bytes were in, not the text's).
	 */
	LisMessage readText(String er7) {
		return readText(er7, (type) -> {
		});
	}

	private LisMessage readText(String er7, Consumer<String> typeRead) {
		String text = normalize(er7);
		checkOneMessageOfText(text, er7);
		String later = checkVersionIsNamed(text, er7);
		ESCAPES.set(otherCharacterSet(characterSets(text).getFirst()));
		CHOSEN.set(new Chosen());
		try {
			if (later != null) {
				NAMED_VERSION.set(later);
				return readChecked(er7, readAs(text, Version.latestVersion().getVersion()), typeRead);
			}
			return readChecked(er7, text, typeRead);
		}
		finally {
			ESCAPES.remove();
			CHOSEN.remove();
			SENDER_OFFSET.remove();
			NAMED_VERSION.remove();
		}
	}

	private LisMessage readChecked(String er7, String text, Consumer<String> typeRead) {
		Message message;
		try {
			message = this.parser.parse(text);
		}
		catch (HL7Exception | RuntimeException ex) {
			throw unparseable(er7, ex);
		}
		try {
			LisMessage.Header header = header(message);
			typeRead.accept(header.type());
			if (DEMOGRAPHICS.contains(header.type())) {
				return new LisMessage.Demographics(header, demographics(header, pid(message, header)),
						authorities(header, message), choices());
			}
			if (ORDERS.contains(header.type())) {
				return new LisMessage.Orders(header, orders(header, message), er7, authorities(header, message),
						choices());
			}
			if (RESULTS.contains(header.type())) {
				return new LisMessage.Results(header, results(header, message), er7, authorities(header, message),
						choices());
			}
			if (MERGES.contains(header.type())) {
				// the authorities first: one MRN under two of them is refused as that, not as a merge into itself
				Map<String, AssigningAuthority> authorities = authorities(header, message);
				return new LisMessage.Merge(header, merges(header, message), authorities, choices());
			}
			// the other events of an ADT feed (transfers, discharges…): kept, not rejected
			if (header.type().startsWith("ADT^")) {
				return new LisMessage.Unhandled(header, er7);
			}
			throw unsupported(header);
		}
		catch (UndefinedByte ex) {
			throw undefinedByte(er7, ex);
		}
		catch (NotInDeclaredSet ex) {
			throw new InvalidEventException("HL7 message" + describeRaw(er7) + " has a hexadecimal escape whose bytes "
					+ "are no text in its character set (MSH-18, " + ex.charset.name() + ")");
		}
		catch (HL7Exception | RuntimeException ex) {
			if (ex instanceof InvalidEventException invalid) {
				throw invalid;
			}
			throw new InvalidEventException(
					"HL7 message" + describeRaw(er7) + " could not be read (" + ex.getClass().getName() + ")");
		}
	}

	// The failures are made in methods of their own: the DLQ's fingerprint takes the top frames, so each
	// kind of bad message groups apart.

	private static InvalidEventException unparseable(String er7, Exception ex) {
		// HAPI's messages quote the text they choke on: keep only the class, and no cause
		return new InvalidEventException(
				"LIS record is not a parseable HL7 v2 message" + describeRaw(er7) + " (" + ex.getClass().getName() + ")");
	}

	/**
	 * A message is read alone (the listener cuts a record of several, or a batch, into its messages first:
	 * {@link Hl7Batch}; several reach here only in a text it cannot cut, two bytes a character): a second MSH
	 * would be read as an unknown segment of the first and its patient lost; a control character (a NUL, say)
	 * cannot be stored and is no part of HL7 text.
	 */
	private static void checkOneMessageOfText(String text, String er7) {
		long messages = text.lines().filter((segment) -> segment.startsWith("MSH")).count();
		if (messages > 1) {
			throw severalMessages(er7, messages);
		}
		if (text.lines().anyMatch((segment) -> segment.startsWith("FHS") || segment.startsWith("BHS"))) {
			throw batch(er7);
		}
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20 && c != '\r' && c != '\t') {
				throw controlCharacter(er7, c);
			}
		}
	}

	/**
	 * MSH-12 names the version HAPI parses the message by: without it HAPI fails with a message of its own, which
	 * quotes the text and so is never passed on. Say what is missing instead.
	 * @return the version named when it is a published one after HAPI's latest (the message is read as that one),
	 *     else null
	 */
	private static @Nullable String checkVersionIsNamed(String text, String er7) {
		if (text.length() < 8 || !text.startsWith("MSH")) {
			return null;
		}
		String msh = text.lines().findFirst().orElse(text);
		String[] fields = msh.split(Pattern.quote(String.valueOf(msh.charAt(3))), -1);
		// fields[0] is "MSH", so MSH-n is fields[n - 1]
		String version = (fields.length > 11) ? fields[11].strip() : "";
		if (version.isEmpty() || HL7_NULL.equals(version)) {
			throw noVersion(er7);
		}
		// HAPI reads the version id, the first component, as it is spelled ("2.3.0" or "2.4 " it does not know)
		char component = (fields.length > 1 && !fields[1].isEmpty()) ? fields[1].charAt(0) : '^';
		String id = fields[11].split(Pattern.quote(String.valueOf(component)), -1)[0];
		if (LATER_VERSION.matcher(id).matches()) {
			return id;
		}
		if (!Version.supportsVersion(id)) {
			throw unknownVersion(er7, id.strip());
		}
		return null;
	}

	/** The message with MSH-12's version id replaced by {@code version}, for HAPI to parse. */
	private static String readAs(String text, String version) {
		int end = text.indexOf('\r');
		String msh = (end < 0) ? text : text.substring(0, end);
		String separator = String.valueOf(msh.charAt(3));
		String[] fields = msh.split(Pattern.quote(separator), -1);
		char component = (!fields[1].isEmpty()) ? fields[1].charAt(0) : '^';
		int cut = fields[11].indexOf(component);
		fields[11] = version + ((cut < 0) ? "" : fields[11].substring(cut));
		return String.join(separator, fields) + ((end < 0) ? "" : text.substring(end));
	}

	private static InvalidEventException unknownVersion(String er7, String version) {
		String named = VERSION_SHAPE.matcher(version).matches() ? version : null;
		return new InvalidEventException("HL7 message" + describeRaw(er7) + " names a version (MSH-12) that is not an "
				+ "HL7 v2 version" + ((named != null) ? ": " + named : ""));
	}

	private static InvalidEventException noVersion(String er7) {
		return new InvalidEventException("HL7 message" + describeRaw(er7) + " has no version id (MSH-12)");
	}

	private static InvalidEventException severalMessages(String er7, long messages) {
		return new InvalidEventException("LIS record holds " + messages + " HL7 messages" + describeRaw(er7)
				+ " that the feed could not cut apart (it cuts a text of one byte a character or UTF-8, not UTF-16)");
	}

	private static InvalidEventException batch(String er7) {
		return new InvalidEventException("LIS record" + describeRaw(er7) + " is an HL7 batch (FHS, BHS segments) that "
				+ "the feed could not cut apart (it cuts a text of one byte a character or UTF-8, not UTF-16)");
	}

	private static InvalidEventException controlCharacter(String er7, char c) {
		return new InvalidEventException("LIS record" + describeRaw(er7) + " holds a control character (U+%04X), "
			.formatted((int) c) + "which HL7 text never carries");
	}

	private static InvalidEventException unsupported(LisMessage.Header header) {
		return new InvalidEventException(
				"Unsupported HL7 message type " + header.type() + " (control id " + header.controlId() + ")");
	}

	/**
	 * The message's text in the character set its MSH-18 names (HL7 table 0211; none: UTF-8, of which ASCII
	 * is a part). Bytes that are not valid in that set are refused, never replaced: a name read wrong would
	 * go on into the patient's record and the messages sent to them.
	 */
	static String decode(byte[] value) {
		// MSH-18's value is ASCII in every set but UTF-16: read from the bytes as they are
		String latin1 = new String(value, StandardCharsets.ISO_8859_1);
		Utf16 utf16 = utf16(value, latin1);
		if (utf16 != null) {
			return readUtf16(value, utf16);
		}
		List<String> sets = characterSets(latin1);
		if (isIso2022(sets)) {
			return iso2022(value, sets);
		}
		// a repetition names the sets of an ISO 2022 message: the first is the default
		String charsetName = sets.getFirst();
		Charset charset = switch (charsetName) {
			// "UTF-8" is not in table 0211, but many feeds send it for UNICODE UTF-8; "UNICODE" is table 0211's name
			// (to v2.4) of ISO 10646 text, which HAPI reads as UTF-8 too; "ISO IR6" is ASCII
			case "", "ASCII", "ISO IR6", "UNICODE", "UNICODE UTF-8", "UTF-8", "UTF8" -> StandardCharsets.UTF_8;
			// what feeds label 8859/1 is mostly Windows text, with its quotes, dashes and euro sign at 0x80-0x9F where
			// ISO 8859-1 has only C1 controls (which are dropped): read as windows-1252, as the WHATWG encoding
			// standard reads the label iso-8859-1; the two sets are the same elsewhere
			case "8859/1" -> WINDOWS_1252;
			case "UNICODE UTF-16", "UTF-16", "UTF16" -> throw notUtf16(charsetName);
			default -> {
				Charset other = otherCharacterSet(charsetName);
				if (other == null) {
					throw unknownCharacterSet(charsetName);
				}
				yield other;
			}
		};
		// UTF-8 labelled 8859/1, as an interface engine that re-encodes text and keeps its label sends it: read as
		// windows-1252 it was stored as "MÃ¼ller". Windows text is valid UTF-8 beyond ASCII only where each
		// accented capital (0xC2-0xF4) is followed by symbols or punctuation (0x80-0xBF), "Ã¼" or "Â©": not in names
		String utf8 = (charset == WINDOWS_1252) ? utf8BeyondAscii(value) : null;
		if (utf8 != null) {
			return utf8;
		}
		String text = strictly(charset, value);
		if (text == null) {
			throw (charset == WINDOWS_1252) ? undefinedInWindows1252(charsetName, value)
					: notInItsCharacterSet(charsetName);
		}
		return text;
	}

	/**
	 * A record labelled ISO 8859-1 holding one of the five bytes windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90,
	 * 0x9D), refused naming it: no character in either set, and a letter in other Windows code pages (0x8D is Ť in
	 * windows-1250, Ќ in windows-1251), so the record is likely in another set than it says; dropped, a letter would
	 * silently go from the patient's name.
	 */
	private static InvalidEventException undefinedInWindows1252(String charsetName, byte[] value) {
		int undefined = 0;
		for (byte b : value) {
			if (isUndefinedInWindows1252(b & 0xFF)) {
				undefined = b & 0xFF;
				break;
			}
		}
		return new InvalidEventException("LIS record is not valid in the character set its MSH-18 names"
				+ parenthesised(charsetName)
				+ ": byte 0x%02X is no character in ISO 8859-1 (a C1 control) nor in windows-1252".formatted(undefined));
	}

	private static boolean isUndefinedInWindows1252(int b) {
		return b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D;
	}

	/**
	 * Whether MSH-18 announces JIS X 0208 ({@code ISO IR87}) or JIS X 0212 ({@code ISO IR159}), as Japanese feeds do
	 * ({@code ~ISO IR87}: ASCII by default, kanji in ISO 2022 escape sequences; MSH-20 {@code ISO 2022-1994}).
	 */
	private static boolean isIso2022(List<String> sets) {
		return sets.stream().anyMatch((set) -> set.equals("ISO IR87") || set.equals("ISO IR159"));
	}

	/**
	 * A Japanese message: ISO 2022 text, 7 bits, whose escape sequences switch to JIS X 0208 ({@code ESC $ B},
	 * {@code ESC $ @}), JIS X 0212 ({@code ESC $ ( D}), JIS X 0201 and back to ASCII ({@code ESC ( B}), read with the
	 * JDK's ISO-2022-JP-2 decoder before HAPI parses the text (a kanji's bytes may be those of a delimiter, {@code |}
	 * or {@code ^}; HAPI's own name for ISO IR87 is JIS X 0208 without escape sequences). Strict as every set is: an
	 * 8-bit byte (Shift_JIS, EUC-JP) or an escape sequence it does not know refuses the record.
	 */
	private static String iso2022(byte[] value, List<String> sets) {
		String text = strictly(Charset.forName("ISO-2022-JP-2"), value);
		if (text == null) {
			throw notInItsCharacterSet(String.join("~", sets));
		}
		return text;
	}

	/**
	 * The character set of a table 0211 name other than those of ASCII, UTF-8, ISO 8859-1, UTF-16 and the ISO 2022
	 * sets: the other ISO 8859 parts and the Chinese and Korean sets; null for any other name.
	 */
	private static @Nullable Charset otherCharacterSet(String name) {
		return switch (name) {
			case "8859/2", "8859/3", "8859/4", "8859/5", "8859/6", "8859/7", "8859/8", "8859/9", "8859/15" ->
				Charset.forName("ISO-8859-" + name.substring(5));
			case "GB 18030-2000" -> Charset.forName("GB18030");
			case "BIG-5" -> Charset.forName("Big5");
			case "KS X 1001" -> Charset.forName("EUC-KR");
			default -> null;
		};
	}

	/** The bytes as UTF-8 text when they are valid UTF-8 and not all ASCII; null otherwise. */
	private static @Nullable String utf8BeyondAscii(byte[] value) {
		for (byte b : value) {
			if (b < 0) {
				return strictly(StandardCharsets.UTF_8, value);
			}
		}
		return null;
	}

	/** The bytes as text in the set, or null when they are not valid in it (never a replacement character). */
	private static @Nullable String strictly(Charset charset, byte[] bytes) {
		try {
			return charset.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
		}
		catch (CharacterCodingException ex) {
			return null;
		}
	}

	/**
	 * A record in UTF-16, with a byte order mark or without one (then its MSH read two bytes a character), and which
	 * order; null for one that is not. Its text is read without checking, for its MSH-18 alone.
	 */
	private static @Nullable Utf16 utf16(byte[] value, String latin1) {
		if (value.length >= 2 && (value[0] & 0xFF) == 0xFE && (value[1] & 0xFF) == 0xFF) {
			return new Utf16(StandardCharsets.UTF_16BE, 2, new String(value, StandardCharsets.UTF_16BE));
		}
		if (value.length >= 2 && (value[0] & 0xFF) == 0xFF && (value[1] & 0xFF) == 0xFE) {
			return new Utf16(StandardCharsets.UTF_16LE, 2, new String(value, StandardCharsets.UTF_16LE));
		}
		if (!latin1.contains("MSH")) {
			for (Charset order : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
				String decoded = new String(value, order);
				if (decoded.contains("MSH")) {
					return new Utf16(order, 0, decoded);
				}
			}
		}
		return null;
	}

	/** A record in UTF-16: its byte order, the length of its byte order mark, and its text read leniently. */
	private record Utf16(Charset order, int mark, String text) {

		String orderName() {
			return (this.order == StandardCharsets.UTF_16LE) ? "little-endian" : "big-endian";
		}

	}

	/**
	 * A record in UTF-16 whose MSH-18 says so ({@code UNICODE UTF-16}, HL7 table 0211) is read in its byte order, strictly
	 * (a surrogate without its pair, an odd last byte refuse it): its delimiters are two bytes each, but HAPI parses the
	 * text, not the bytes. One whose MSH-18 names another set is refused saying it is UTF-16: read as the set it names,
	 * it was refused as "not valid UTF-8 (MSH-18 names no character set)" (its MSH-18 is not found in the bytes), or,
	 * ASCII alone, for the NUL of each character's other byte.
	 */
	private static String readUtf16(byte[] value, Utf16 utf16) {
		String named = characterSets(utf16.text()).getFirst();
		if (!isUtf16(named)) {
			throw utf16(utf16.orderName(), named);
		}
		String text = strictly(utf16.order(), Arrays.copyOfRange(value, utf16.mark(), value.length));
		if (text == null) {
			throw notInItsCharacterSet(named);
		}
		return text;
	}

	/** Table 0211's UTF-16, and the name many feeds send for it as they do {@code UTF-8}. */
	private static boolean isUtf16(String named) {
		return named.equals("UNICODE UTF-16") || named.equals("UTF-16") || named.equals("UTF16");
	}

	private static InvalidEventException notUtf16(String named) {
		return new InvalidEventException("LIS record is not valid in the character set its MSH-18 names"
				+ parenthesised(named) + ": its MSH segment is one byte a character, not UTF-16");
	}

	private static InvalidEventException utf16(String order, String named) {
		String record = "LIS record is UTF-16 text (" + order + "), ";
		if (named.toUpperCase(Locale.ROOT).contains("UTF-16") || named.toUpperCase(Locale.ROOT).contains("UTF16")) {
			return new InvalidEventException(record + "in a character set (MSH-18) this service does not read"
					+ quoted(named));
		}
		return new InvalidEventException(record + "not in the character set its MSH-18 names"
				+ (named.isEmpty() ? " (none: UTF-8)" : parenthesised(named)));
	}

	/**
	 * The repetitions of MSH-18 as the text holds them, each stripped, in upper case and an IANA name read as the table 0211 code it names ({@code ~iso ir87} is "" and
	 * "ISO IR87"); one "" when the message names none. An ISO 2022 run of two-byte characters (from {@code ESC $} to the next {@code ESC (}) in MSH-3 to MSH-6 is
	 * skipped: its bytes may be a field separator's.
	 */
	private static List<String> characterSets(String latin1) {
		int msh = latin1.indexOf("MSH");
		if (msh < 0 || msh + 3 >= latin1.length()) {
			return List.of("");
		}
		char separator = latin1.charAt(msh + 3);
		int end = msh;
		while (end < latin1.length() && latin1.charAt(end) != '\r' && latin1.charAt(end) != '\n') {
			end++;
		}
		String segment = TWO_BYTE_RUN.matcher(latin1.substring(msh, end)).replaceAll("");
		// MSH-1 is the separator itself: MSH-n is field n - 1 of the split segment
		String[] fields = segment.split(Pattern.quote(String.valueOf(separator)), -1);
		if (fields.length <= 17) {
			return List.of("");
		}
		String repetition = fields[1].length() > 1 ? Pattern.quote(fields[1].substring(1, 2)) : "~";
		// table 0211's codes are upper case; feeds write them in any case (utf-8, unicode utf-8), which named the same set,
		// and by their IANA names (ISO-8859-1 for 8859/1), which are read as the codes they name
		return Arrays.stream(fields[17].split(repetition, -1))
			.map((set) -> set.strip().toUpperCase(Locale.ROOT))
			.map((set) -> CHARACTER_SET_ALIASES.getOrDefault(set, set))
			.toList();
	}

	private static InvalidEventException unknownCharacterSet(String name) {
		return new InvalidEventException("LIS record names a character set (MSH-18) this service does not read"
				+ quoted(name));
	}

	private static InvalidEventException notInItsCharacterSet(String name) {
		return new InvalidEventException("LIS record is not valid " + (name.isEmpty() ? "UTF-8 (MSH-18 names no "
				+ "character set)" : "in the character set its MSH-18 names" + parenthesised(name)));
	}

	/**
	 * MSH-18 as a refusal may name it: each repetition one of {@link #CHARACTER_SET_NAMES} (or empty, an ISO 2022
	 * message's ASCII default), else null: the value is not quoted, as it may be a patient's name or MRN.
	 */
	private static @Nullable String characterSetName(String named) {
		String[] repetitions = named.split("~", -1);
		boolean known = Arrays.stream(repetitions).allMatch((set) -> set.isEmpty() || CHARACTER_SET_NAMES.contains(set));
		boolean any = Arrays.stream(repetitions).anyMatch((set) -> !set.isEmpty());
		return (known && any) ? named : null;
	}

	/** ": name" for a character set name a refusal may quote, else nothing. */
	private static String quoted(String named) {
		String name = characterSetName(named);
		return (name != null) ? ": " + name : "";
	}

	/** " (name)" for a character set name a refusal may quote, else nothing. */
	private static String parenthesised(String named) {
		String name = characterSetName(named);
		return (name != null) ? " (" + name + ")" : "";
	}

	/** Segments end in CR; senders that use LF or CRLF, or keep the MLLP frame, are forgiven. */
	private static String normalize(String er7) {
		String text = er7.replace("\u000b", "").replace("\u001c", "").replace("\r\n", "\r").replace('\n', '\r');
		text = text.strip();
		// a byte order mark, which some senders put before the MSH
		return text.startsWith("\ufeff") ? text.substring(1).strip() : text;
	}

	private LisMessage.Header header(Message message) throws HL7Exception {
		MSH msh = (MSH) message.get("MSH");
		String code = text(msh.getMessageType().getMessageCode());
		String trigger = text(msh.getMessageType().getTriggerEvent());
		if (code == null || trigger == null) {
			throw new InvalidEventException("HL7 message has no message type (MSH-9)");
		}
		String type = code.toUpperCase(Locale.ROOT) + "^" + trigger.toUpperCase(Locale.ROOT);
		if (!SAFE_TOKEN.matcher(type).matches()) {
			throw new InvalidEventException("HL7 message type (MSH-9) is not a message type");
		}
		// as sent (unescaped, trimmed): text() would have dropped a control character the rule refuses
		String controlId = raw(msh.getMessageControlID());
		if (controlId == null) {
			throw new InvalidEventException("HL7 message " + type + " has no message control id (MSH-10)");
		}
		String broken = controlIdProblem(controlId);
		if (broken != null) {
			throw new InvalidEventException("HL7 message " + type + " has a message control id (MSH-10) that is not "
					+ CONTROL_ID_RULE + ": " + broken);
		}
		Instant sentAt;
		try {
			String time = text(msh.getDateTimeOfMessage().getTime());
			sentAt = (time != null) ? instant(time) : null;
			ZoneOffset stated = (time != null) ? offset(time) : null;
			if (stated != null && sentAt != null && !stated.equals(this.defaultZone.getRules().getOffset(sentAt))) {
				// the sender says where it is, and the configured zone (UTC unless set) is not there: the message's
				// other times without an offset are the sender's (an OBR-7 of 08:00 at +0100 is 07:00Z, not 08:00Z)
				SENDER_OFFSET.set(stated);
			}
		}
		catch (DateTimeException ex) {
			// an unreadable MSH-7 only costs the stale-message guard
			sentAt = null;
		}
		Instant now = this.clock.instant();
		if (sentAt != null && sentAt.isAfter(now.plus(FUTURE_TOLERANCE))) {
			// stored as the patient's message time, a time to come would make every later update "older" and
			// freeze the record: such a message is taken as sent now
			log.warn("HL7 message {} (control id {}) was sent, by its MSH-7, more than {} from now: taken as sent now",
					type, controlId, FUTURE_TOLERANCE);
			sentAt = now;
		}
		String sender = sender(msh.getSendingApplication()) + "^" + sender(msh.getSendingFacility());
		String named = NAMED_VERSION.get();
		return new LisMessage.Header(controlId, sender, type,
				(named != null) ? named : text(msh.getVersionID().getVersionID()), sentAt);
	}

	/** An HD's namespace id, else its universal id, else empty. */
	private static String sender(HD hd) {
		String name = first(text(hd.getNamespaceID()), text(hd.getUniversalID()));
		return (name != null) ? name : "";
	}

	private static PID pid(Message message, LisMessage.Header header) throws HL7Exception {
		Structure pid = message.get("PID");
		if (pid instanceof PID typed && !typed.isEmpty()) {
			return typed;
		}
		throw new InvalidEventException("HL7 message " + header.type() + " (control id " + header.controlId()
				+ ") has no PID segment");
	}

	private RecordDemographics demographics(LisMessage.Header header, PID pid) throws HL7Exception {
		String mrn = mrn(pid, header);
		if (mrn == null) {
			throw new InvalidEventException("HL7 message " + header.type() + " (control id " + header.controlId()
					+ ") has no patient identifier (PID-3)");
		}
		Set<Part> stated = EnumSet.noneOf(Part.class);
		// the field read, for the reason when one of its values is nothing but control characters
		String field = "PID-5";
		try {
			String given = null;
			String family = null;
			NameParts otherNames = null;
			if (stated(pid, 5, Part.NAME, stated)) {
				XPN name = preferredName(pid.getPatientName());
				if (name != null) {
					given = name(stored(name.getGivenName()), header, "a given name (PID-5.2)");
					family = name(stored(name.getFamilyName().getSurname()), header, "a family name (PID-5.1)");
					otherNames = NameParts.of(
							name(stored(name.getSecondAndFurtherGivenNamesOrInitialsThereof()), header,
									"middle names (PID-5.3)"),
							name(stored(name.getPrefixEgDR()), header, "a name prefix (PID-5.5)"),
							name(stored(name.getSuffixEgJRorIII()), header, "a name suffix (PID-5.4)"));
				}
			}

			BirthDate birthDate = null;
			field = "PID-7";
			if (stated(pid, 7, Part.BIRTH_DATE, stated)) {
				String value = text(pid.getDateTimeOfBirth().getTime());
				if (value != null) {
					birthDate = notAfterTheMessage(date(value, header), header);
				}
			}

			Sex sex = null;
			field = "PID-8";
			if (stated(pid, 8, Part.SEX, stated)) {
				String code = text(pid.getAdministrativeSex());
				if (code != null && !Sex.isCode(code)) {
					// a code outside HL7 table 0001 (a word, a local code) says nothing: leave the stored sex alone,
					// as an unreadable language is (before: stored as UNKNOWN over what was known)
					stated.remove(Part.SEX);
				}
				else {
					sex = (code != null) ? Sex.ofCode(code) : null;
				}
			}

			String phone = null;
			String email = null;
			field = "PID-13";
			XTN[] telecoms = null;
			if (stated(pid, 13, Part.CONTACT, stated)) {
				telecoms = pid.getPhoneNumberHome();
			}
			else if (pid.numFields() >= 40 && stated(pid, 40, Part.CONTACT, stated)) {
				field = "PID-40";
				telecoms = telecommunications(pid);
			}
			if (telecoms != null) {
				String mobile = null;
				for (XTN telecom : telecoms) {
					String address = emailOf(telecom);
					if (address != null) {
						email = (email != null) ? email : address;
					}
					// a phone's repetition may carry an email in XTN-4 beside its number: the number is still the phone
					if (isPhone(telecom) && (address == null || isNumberBesideEmail(telecom))) {
						String number = phoneOf(telecom);
						phone = (phone != null) ? phone : number;
						if (mobile == null && "CP".equalsIgnoreCase(text(telecom.getTelecommunicationEquipmentType()))) {
							mobile = number;
						}
					}
				}
				// the patient's messages are texted to it: the mobile, else the first number that is a phone
				phone = (mobile != null) ? mobile : phone;
			}

			PostalAddress address = null;
			field = "PID-11";
			if (stated(pid, 11, Part.ADDRESS, stated)) {
				XAD xad = preferredAddress(pid.getPatientAddress());
				if (xad != null) {
					PostalAddress read = new PostalAddress(stored(xad.getStreetAddress().getStreetOrMailingAddress()),
							stored(xad.getOtherDesignation()), stored(xad.getCity()), stored(xad.getStateOrProvince()),
							stored(xad.getZipOrPostalCode()), stored(xad.getCountry()));
					address = read.carriesNothing() ? null : read;
				}
			}
			String language = null;
			field = "PID-15";
			if (stated(pid, 15, Part.LANGUAGE, stated)) {
				String code = text(pid.getPrimaryLanguage().getIdentifier());
				if (code != null) {
					language = languageTag(code);
					if (language == null) {
						// a language named in words or a local code: leave the stored one alone
						stated.remove(Part.LANGUAGE);
					}
				}
			}
			return new RecordDemographics(mrn, given, family, birthDate, sex, phone, email, address, language, stated,
					header.sentAt(), header.controlId(), otherNames);
		}
		catch (NothingButControls ex) {
			throw nothingButControls(header, field);
		}
	}

	/**
	 * PID-40, Patient Telecommunication Information (v2.7 and later, which keep PID-13 and PID-14 for backward
	 * compatibility only), read as the XTNs PID-13 holds: HAPI's v2.5 model, in which every message is parsed, has 39
	 * fields of PID and holds a 40th as text of no type. A v2.7 or v2.8 feed that gives the patient's phone and email
	 * there alone had them left unread, and the patient was sent nothing.
	 */
	private static XTN[] telecommunications(PID pid) throws HL7Exception {
		Type[] repetitions = pid.getField(40);
		XTN[] telecoms = new XTN[repetitions.length];
		for (int i = 0; i < repetitions.length; i++) {
			telecoms[i] = new XTN(pid.getMessage());
			telecoms[i].parse(repetitions[i].encode());
		}
		return telecoms;
	}

	/** ISO 639 code (2 or 3 letters, optionally with a region: en, eng, en-GB, EN_gb) as a BCP 47 tag. */
	static @Nullable String languageTag(String code) {
		try {
			Locale locale = new Locale.Builder().setLanguageTag(code.strip().replace('_', '-')).build();
			String language = locale.getLanguage();
			if (language.length() < 2 || language.length() > 3) {
				return null;
			}
			String twoLetters = TWO_LETTER_LANGUAGES.get(TERMINOLOGY_LANGUAGES.getOrDefault(language, language));
			if (language.length() == 3 && twoLetters != null) {
				locale = new Locale.Builder().setLocale(locale).setLanguage(twoLetters).build();
			}
			return locale.toLanguageTag();
		}
		catch (IllformedLocaleException ex) {
			return null;
		}
	}

	/**
	 * The orders an ORM^O01 or OML^O21 places: cancelled when their ORC-1 cancels or discontinues them,
	 * ordered at ORC-9, else OBR-6, else (an order placed, not cancelled) MSH-7: the ordering system sends the
	 * message as the order is placed, and many leave both fields empty. A cancellation without either leaves the
	 * time unstated: its MSH-7 is when the order was cancelled, not when it was placed.
	 */
	private LinkTestOrders orders(LisMessage.Header header, Message message) throws HL7Exception {
		List<LinkTestOrders.Order> orders = new ArrayList<>();
		for (OrderedTest test : orderedTests(header, message)) {
			String control = (test.orc() != null) ? text(test.orc().getOrderControl()) : null;
			TestOrderStatus status = (control != null && CANCELLING.contains(control.toUpperCase(Locale.ROOT)))
					? TestOrderStatus.CANCELLED : TestOrderStatus.ORDERED;
			Instant orderedAt = (test.orc() != null) ? time(test.orc().getDateTimeOfTransaction().getTime()) : null;
			if (orderedAt == null) {
				orderedAt = time(test.obr().getRequestedDateTime().getTime());
			}
			if (orderedAt == null && status == TestOrderStatus.ORDERED) {
				orderedAt = header.sentAt();
			}
			orders.add(new LinkTestOrders.Order(test.mrn(), test.orderId(), test.testCode(), status, orderedAt));
		}
		return new LinkTestOrders(orders, header.sentAt(), header.controlId());
	}

	/**
	 * The orders an ORU^R01 reports: resulted when OBR-25 says final or corrected (or says nothing),
	 * cancelled for X, in progress otherwise; performed at OBR-7, released at OBR-22. No OBX is read.
	 */
	private RecordTestResults results(LisMessage.Header header, Message message) throws HL7Exception {
		List<RecordTestResults.Result> results = new ArrayList<>();
		for (OrderedTest test : orderedTests(header, message)) {
			OBR obr = test.obr();
			results.add(new RecordTestResults.Result(test.mrn(), test.orderId(), test.testCode(),
					resultStatus(text(obr.getResultStatus())), time(obr.getObservationDateTime().getTime()),
					released(header, time(obr.getResultsRptStatusChngDateTime().getTime()))));
		}
		return new RecordTestResults(results, header.sentAt(), header.controlId());
	}

	/**
	 * OBR-22, unless it is more than {@link #FUTURE_TOLERANCE} ahead of this service's clock: then it is taken as
	 * not sent (the release falls back to MSH-7), for a release time to come would reach the patient's notice, and
	 * a resend with the time mended would read as a new release and notify the patient again.
	 */
	private @Nullable Instant released(LisMessage.Header header, @Nullable Instant releasedAt) {
		if (releasedAt != null && releasedAt.isAfter(this.clock.instant().plus(FUTURE_TOLERANCE))) {
			log.warn("HL7 message {} (control id {}) releases a result, by its OBR-22, more than {} from now: "
					+ "taken as not stated", header.type(), header.controlId(), FUTURE_TOLERANCE);
			return null;
		}
		return releasedAt;
	}

	private static TestOrderStatus resultStatus(@Nullable String code) {
		if (code == null) {
			return TestOrderStatus.RESULTED;
		}
		return switch (code.toUpperCase(Locale.ROOT)) {
			case "F", "C" -> TestOrderStatus.RESULTED;
			case "X" -> TestOrderStatus.CANCELLED;
			default -> TestOrderStatus.IN_PROGRESS;
		};
	}

	/** An OBR with the patient of the PID before it and the ORC right before it, if any. */
	private record OrderedTest(String mrn, String orderId, String testCode, @Nullable ORC orc, OBR obr) {
	}

	/**
	 * Every OBR of the message in order, each with the MRN of the PID before it; the order number is
	 * OBR-2 (placer), else OBR-3 (filler), else those of its ORC; the test code is OBR-4's identifier
	 * (never its text, which can name a diagnosis).
	 */
	private List<OrderedTest> orderedTests(LisMessage.Header header, Message message) throws HL7Exception {
		List<OrderedTest> tests = new ArrayList<>();
		String mrn = null;
		ORC orc = null;
		for (Segment segment : segments(message)) {
			if (segment instanceof PID pid) {
				mrn = mrn(pid, header);
				if (mrn == null) {
					throw invalid(header, "has no patient identifier (PID-3)");
				}
				orc = null;
			}
			else if (segment instanceof ORC common) {
				orc = common;
			}
			else if (segment instanceof OBR obr) {
				if (mrn == null) {
					throw invalid(header, "has no PID segment before its OBR");
				}
				String orderId = first(raw(obr.getPlacerOrderNumber()), raw(obr.getFillerOrderNumber()),
						(orc != null) ? raw(orc.getPlacerOrderNumber()) : null,
						(orc != null) ? raw(orc.getFillerOrderNumber()) : null);
				if (orderId == null) {
					throw invalid(header, "has an OBR without an order number (OBR-2, OBR-3)");
				}
				orderId = identifier(orderId, header, "an order number (OBR-2, OBR-3)");
				String testCode = raw(obr.getUniversalServiceIdentifier().getIdentifier());
				if (testCode == null) {
					throw invalid(header, "has an OBR without a test code (OBR-4)");
				}
				testCode = identifier(testCode, header, "a test code (OBR-4)");
				tests.add(new OrderedTest(mrn, orderId, testCode, orc, obr));
				orc = null;
			}
		}
		if (tests.isEmpty()) {
			throw invalid(header, "has no OBR segment");
		}
		return tests;
	}

	/**
	 * The merges of an ADT^A40: each MRG names (MRG-1) the patient merged into the patient of the PID before it,
	 * whose demographics the PID carries. An MRG naming the PID's own patient is refused: a merge of a patient into
	 * itself merges nothing, and the LIS that sent it meant another patient.
	 */
	private List<LisMessage.Merge.Merged> merges(LisMessage.Header header, Message message) throws HL7Exception {
		List<LisMessage.Merge.Merged> merges = new ArrayList<>();
		PID survivor = null;
		for (Segment segment : segments(message)) {
			if (segment instanceof PID pid) {
				survivor = pid;
			}
			else if (segment instanceof MRG mrg) {
				if (survivor == null) {
					throw invalid(header, "has an MRG segment without a PID before it");
				}
				String prior = mrn(mrg, header);
				if (prior == null) {
					throw invalid(header, "has an MRG without a prior patient identifier (MRG-1)");
				}
				RecordDemographics surviving = demographics(header, survivor);
				if (prior.equals(surviving.mrn())) {
					// applied, it changed nothing and was counted as merged: the LIS meant another patient
					throw invalid(header, "merges a patient into itself: its MRG-1 names the patient of its PID-3");
				}
				merges.add(new LisMessage.Merge.Merged(surviving, prior));
				survivor = null;
			}
		}
		if (merges.isEmpty()) {
			throw invalid(header, "has no MRG segment");
		}
		return merges;
	}

	/** The segments of a message in order, through all its groups. */
	private static List<Segment> segments(Group group) throws HL7Exception {
		List<Segment> segments = new ArrayList<>();
		for (String name : group.getNames()) {
			for (Structure structure : group.getAll(name)) {
				if (structure instanceof Group child) {
					segments.addAll(segments(child));
				}
				else if (structure instanceof Segment segment && !segment.isEmpty()) {
					segments.add(segment);
				}
			}
		}
		return segments;
	}

	private static InvalidEventException invalid(LisMessage.Header header, String problem) {
		return new InvalidEventException(
				"HL7 message " + header.type() + " (control id " + header.controlId() + ") " + problem);
	}

	private static @Nullable String raw(EI identifier) {
		return raw(identifier.getEntityIdentifier());
	}

	private static @Nullable String first(@Nullable String... values) {
		for (String value : values) {
			if (value != null) {
				return value;
			}
		}
		return null;
	}

	/** An HL7 DTM as an instant; null when empty or not a time (the times of orders are informative). */
	private @Nullable Instant time(Primitive primitive) {
		String value = text(primitive);
		if (value == null) {
			return null;
		}
		try {
			return instant(value);
		}
		catch (DateTimeException ex) {
			return null;
		}
	}

	/**
	 * Whether the message states the field: an empty field says nothing (the stored value stays), a
	 * field holding the HL7 null {@code ""} states that the value is gone.
	 */
	private static boolean stated(Segment segment, int field, Part part, Set<Part> stated) throws HL7Exception {
		boolean any = false;
		for (Type repetition : segment.getField(field)) {
			if (HL7_NULL.equals(repetition.encode()) || !repetition.isEmpty()) {
				any = true;
			}
		}
		if (any) {
			stated.add(part);
		}
		return any;
	}

	/**
	 * The assigning authority (CX-4: its namespace id and universal id) of each MRN the message's PIDs and MRGs name,
	 * when given. A message that gives one MRN two authorities is refused: which patient it means cannot be told.
	 */
	private Map<String, AssigningAuthority> authorities(LisMessage.Header header, Message message)
			throws HL7Exception {
		Map<String, AssigningAuthority> authorities = new LinkedHashMap<>();
		for (Segment segment : segments(message)) {
			CX chosen = (segment instanceof PID || segment instanceof MRG) ? mrnIdentifier(segment, header) : null;
			if (chosen == null) {
				continue;
			}
			AssigningAuthority authority = authority(chosen);
			if (authority == null) {
				continue;
			}
			AssigningAuthority before = authorities.putIfAbsent(raw(chosen.getIDNumber()), authority);
			if (before != null && !before.sameAs(authority)) {
				// neither authority is quoted: a field's value, as a name or an MRN is, never goes into a refusal
				throw invalid(header, "names one patient identifier with two assigning authorities (CX-4)");
			}
		}
		return Map.copyOf(authorities);
	}

	/** A CX's assigning authority (CX-4), or null when it names none. */
	private static @Nullable AssigningAuthority authority(CX identifier) {
		String namespaceId = text(identifier.getAssigningAuthority().getNamespaceID());
		String universalId = text(identifier.getAssigningAuthority().getUniversalID());
		return (namespaceId == null && universalId == null) ? null : new AssigningAuthority(namespaceId, universalId);
	}

	/**
	 * The identifier the MRN of a PID (PID-3) or an MRG (MRG-1) is read from, or null: the one typed MR, else the
	 * first. Of several typed MR (an HIE's feed repeats the MRNs of several authorities, in any order), the one the
	 * {@link MrnChooser} chooses: one that names a patient of this service, so that a message listing them in another
	 * order does not register the same person again. Chosen once per segment while a message is read.
	 */
	private @Nullable CX mrnIdentifier(Segment segment, LisMessage.Header header) throws HL7Exception {
		Chosen chosen = CHOSEN.get();
		if (chosen != null && chosen.identifiers().containsKey(segment)) {
			return chosen.identifiers().get(segment);
		}
		boolean pid = segment instanceof PID;
		CX[] identifiers = pid ? ((PID) segment).getPatientIdentifierList()
				: ((MRG) segment).getPriorPatientIdentifierList();
		String what = identifierNamed(segment);
		CX first = null;
		List<CX> typedMr = new ArrayList<>();
		for (CX identifier : identifiers) {
			if (raw(identifier.getIDNumber()) == null) {
				continue;
			}
			if ("MR".equalsIgnoreCase(text(identifier.getIdentifierTypeCode()))) {
				typedMr.add(identifier);
			}
			first = (first != null) ? first : identifier;
		}
		CX identifier = typedMr.isEmpty() ? first : typedMr.getFirst();
		if (typedMr.size() > 1) {
			List<MrnChooser.Candidate> candidates = new ArrayList<>();
			for (CX each : typedMr) {
				candidates.add(new MrnChooser.Candidate(identifier(raw(each.getIDNumber()), header, what),
						authority(each)));
			}
			String field = pid ? "PID-3" : "MRG-1";
			int index = this.mrns.choose(candidates, header, field);
			identifier = typedMr.get(index);
			if (chosen != null) {
				chosen.choices().add(new MrnChooser.Choice(field, candidates, index));
			}
		}
		if (chosen != null) {
			chosen.identifiers().put(segment, identifier);
		}
		return identifier;
	}

	/** The choices among several MR identifiers made while the message was read, in its order. */
	private static List<MrnChooser.Choice> choices() {
		Chosen chosen = CHOSEN.get();
		return (chosen != null) ? List.copyOf(chosen.choices()) : List.of();
	}

	/** The medical record number of a PID (PID-3) or an MRG (MRG-1): {@link #mrnIdentifier}'s. */
	private @Nullable String mrn(Segment segment, LisMessage.Header header) throws HL7Exception {
		CX chosen = mrnIdentifier(segment, header);
		return (chosen != null) ? identifier(raw(chosen.getIDNumber()), header, identifierNamed(segment)) : null;
	}

	/** How a refusal names the identifier a PID (PID-3) or an MRG (MRG-1) gives. */
	private static String identifierNamed(Segment segment) {
		return (segment instanceof PID) ? "a patient identifier (PID-3)" : "a prior patient identifier (MRG-1)";
	}

	/** The legal name (type L), else the first name given. */
	private static @Nullable XPN preferredName(XPN[] names) {
		XPN first = null;
		for (XPN name : names) {
			if (text(name.getFamilyName().getSurname()) == null && text(name.getGivenName()) == null) {
				continue;
			}
			if ("L".equalsIgnoreCase(text(name.getNameTypeCode()))) {
				return name;
			}
			first = (first != null) ? first : name;
		}
		return first;
	}

	/** The home address (type H), else the first address given. */
	private static @Nullable XAD preferredAddress(XAD[] addresses) {
		XAD first = null;
		for (XAD address : addresses) {
			if ("H".equalsIgnoreCase(text(address.getAddressType()))) {
				return address;
			}
			first = (first != null) ? first : address;
		}
		return first;
	}

	/**
	 * XTN-4 when the repetition is an email (use code NET or equipment Internet, or XTN-4 set), without a leading
	 * {@code mailto:}: some feeds send the address as a URI ({@code ^NET^X.400^mailto:mo@example.org}), and stored so
	 * it was no address the notification service could send to.
	 */
	private static @Nullable String emailOf(XTN telecom) {
		String address = withoutMailto(stored(telecom.getEmailAddress()));
		boolean internet = "NET".equalsIgnoreCase(text(telecom.getTelecommunicationUseCode()))
				|| "Internet".equalsIgnoreCase(text(telecom.getTelecommunicationEquipmentType()));
		if (address == null && internet) {
			// v2.3 senders often put the address in XTN-1
			String legacy = withoutMailto(stored(telecom.getTelephoneNumber()));
			address = (legacy != null && legacy.contains("@")) ? legacy : null;
		}
		return address;
	}

	/** The address without a leading {@code mailto:} (any case); null when nothing else is left. */
	private static @Nullable String withoutMailto(@Nullable String address) {
		if (address == null || !address.regionMatches(true, 0, "mailto:", 0, 7)) {
			return address;
		}
		String rest = address.substring(7).strip();
		return rest.isEmpty() ? null : rest;
	}

	/**
	 * Whether the repetition is a number to call or text the patient on: not a fax, modem, pager or teletype
	 * (XTN-3, HL7 table 0202), nor a beeper or emergency number (XTN-2, table 0201), which are no phone of theirs.
	 */
	private static boolean isPhone(XTN telecom) {
		String equipment = text(telecom.getTelecommunicationEquipmentType());
		String use = text(telecom.getTelecommunicationUseCode());
		return (equipment == null || !NOT_A_PHONE.contains(equipment.toUpperCase(Locale.ROOT)))
				&& (use == null || !NOT_THE_PATIENTS_PHONE.contains(use.toUpperCase(Locale.ROOT)));
	}

	/** Whether a repetition with an email (XTN-4) is a phone's too: not of use NET, and a number beside it. */
	private static boolean isNumberBesideEmail(XTN telecom) {
		String number = phoneOf(telecom);
		return !"NET".equalsIgnoreCase(text(telecom.getTelecommunicationUseCode())) && number != null
				&& !number.contains("@");
	}

	/** XTN-1 as sent, else the unformatted number (XTN-12), else country, area and local number (XTN-5..8). */
	private static @Nullable String phoneOf(XTN telecom) {
		String number = stored(telecom.getTelephoneNumber());
		if (number == null) {
			number = stored(telecom.getUnformattedTelephoneNumber());
		}
		if (number == null) {
			String local = stored(telecom.getLocalNumber());
			if (local == null) {
				return null;
			}
			String country = stored(telecom.getCountryCode());
			String area = stored(telecom.getAreaCityCode());
			String extension = stored(telecom.getExtension());
			number = ((country != null) ? "+" + country + " " : "") + ((area != null) ? area + " " : "") + local
					+ ((extension != null) ? " x" + extension : "");
		}
		return number;
	}

	/**
	 * YYYY[MM[DD[...]]] as a birth date to its precision: a year or a month alone is kept as such (it was dropped, as
	 * if the LIS had said nothing), a time of birth is not.
	 */
	private static BirthDate date(String value, LisMessage.Header header) {
		Matcher matcher = DTM.matcher(value);
		if (!matcher.matches()) {
			throw invalidBirthDate(header);
		}
		try {
			int year = Integer.parseInt(matcher.group(1));
			if (matcher.group(2) == null) {
				return new BirthDate(LocalDate.of(year, 1, 1), BirthDate.Precision.YEAR);
			}
			if (matcher.group(3) == null) {
				return new BirthDate(LocalDate.of(year, Integer.parseInt(matcher.group(2)), 1),
						BirthDate.Precision.MONTH);
			}
			return BirthDate.of(LocalDate.of(year, Integer.parseInt(matcher.group(2)),
					Integer.parseInt(matcher.group(3))));
		}
		catch (DateTimeException ex) {
			throw invalidBirthDate(header);
		}
	}

	/**
	 * The birth date, unless it begins after the day after the message was sent (MSH-7, else now): such a date is
	 * mistyped (20990505), as one that is no date is, and is refused the same way. Served and published, it made a
	 * patient not yet born; the day after is the sender's day in any zone east of UTC.
	 */
	private BirthDate notAfterTheMessage(BirthDate birthDate, LisMessage.Header header) {
		Instant sentAt = (header.sentAt() != null) ? header.sentAt() : this.clock.instant();
		if (birthDate.first().isAfter(LocalDate.ofInstant(sentAt, ZoneOffset.UTC).plusDays(1))) {
			throw new InvalidEventException("HL7 message " + header.type() + " (control id " + header.controlId()
					+ ") has a birth date (PID-7) " + ((header.sentAt() != null)
							? "after the day it was sent (MSH-7)" : "in the future (it states no time sent, MSH-7)"));
		}
		return birthDate;
	}

	private static InvalidEventException invalidBirthDate(LisMessage.Header header) {
		return new InvalidEventException("HL7 message " + header.type() + " (control id " + header.controlId()
				+ ") has a birth date (PID-7) that is not a date");
	}

	/** An HL7 DTM ({@code YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]}) as an instant. */
	Instant instant(String value) {
		Matcher matcher = DTM.matcher(value);
		if (!matcher.matches()) {
			throw new DateTimeException("not an HL7 DTM");
		}
		LocalDateTime local = LocalDateTime.of(Integer.parseInt(matcher.group(1)), number(matcher.group(2), 1),
				number(matcher.group(3), 1), number(matcher.group(4), 0), number(matcher.group(5), 0),
				number(matcher.group(6), 0), nanos(matcher.group(7)));
		ZoneId sender = SENDER_OFFSET.get();
		ZoneId zone = (matcher.group(8) != null) ? ZoneOffset.of(matcher.group(8))
				: (sender != null) ? sender : this.defaultZone;
		return local.atZone(zone).toInstant();
	}

	/** The offset an HL7 DTM states, or null when it states none. */
	private static @Nullable ZoneOffset offset(String value) {
		Matcher matcher = DTM.matcher(value);
		return (matcher.matches() && matcher.group(8) != null) ? ZoneOffset.of(matcher.group(8)) : null;
	}

	private static int number(@Nullable String digits, int absent) {
		return (digits != null) ? Integer.parseInt(digits) : absent;
	}

	private static int nanos(@Nullable String fraction) {
		if (fraction == null) {
			return 0;
		}
		return Integer.parseInt((fraction + "000000000").substring(0, 9));
	}

	/**
	 * A primitive's value, trimmed; null when empty or the HL7 null. HAPI turns the delimiter escapes
	 * ({@code \F\ \S\ \T\ \R\ \E\}) back into their characters; the hexadecimal ones are decoded here
	 * (UTF-8 when the bytes are valid UTF-8, else windows-1252, ISO 8859-1 as Windows fills it, the single-byte set they
	 * mostly come from), and
	 * highlighting escapes are dropped, and a formatting one (a line break) becomes a space: it separated what was
	 * on its two sides. So does a line break or tab that a hexadecimal escape decodes to ({@code \X0D\ \X0A\ \X09\}),
	 * or a raw tab; any other control character an escape decodes to ({@code \X00\ \X1B\}, C1) is dropped
	 * ({@link PlainText}): stored, it reached the FHIR XML (which cannot hold it), the API and the events.
	 */
	static @Nullable String text(Primitive primitive) {
		String raw = raw(primitive);
		if (raw == null) {
			return null;
		}
		String trimmed = clean(raw).strip();
		return (trimmed.isEmpty() || HL7_NULL.equals(trimmed)) ? null : trimmed;
	}

	/** A primitive's value unescaped and trimmed, before {@link #clean(String)}; null when empty or the HL7 null. */
	private static @Nullable String raw(Primitive primitive) {
		String value = primitive.getValue();
		if (value == null) {
			return null;
		}
		String trimmed = unescape(value).strip();
		return (trimmed.isEmpty() || HL7_NULL.equals(trimmed)) ? null : trimmed;
	}

	/**
	 * A value the patient's record keeps ({@link #text(Primitive)}); one that held nothing but control characters
	 * (escapes such as {@code \X00\}) is refused: read as empty, it would clear what is stored.
	 */
	private static @Nullable String stored(Primitive primitive) {
		String text = text(primitive);
		if (text == null && raw(primitive) != null) {
			throw new NothingButControls();
		}
		return text;
	}

	/**
	 * The identifier read (an MRN, an order number, a test code: {@link #raw(Primitive)}, unescaped and trimmed) as it
	 * was sent. One holding a control character is refused: a space in its place would make it another identifier.
	 */
	private static String identifier(String raw, LisMessage.Header header, String what) {
		if (!clean(raw).equals(raw)) {
			throw invalid(header, "has " + what + " that holds a control character");
		}
		if (raw.length() > MAX_IDENTIFIER_LENGTH) {
			// before: the database's index refused it, and the dead letter's reason was an SQL statement
			throw invalid(header, "has " + what + " longer than " + MAX_IDENTIFIER_LENGTH + " characters");
		}
		return raw;
	}

	/**
	 * A part of the patient's name as read, refused when longer than {@link #MAX_NAME_LENGTH} characters (code
	 * points): the name searches' indexes hold the family and given names, and refused them (the dead letter's reason
	 * was an SQL statement, cut before the database's own reason).
	 */
	private static @Nullable String name(@Nullable String part, LisMessage.Header header, String what) {
		if (part != null && part.codePointCount(0, part.length()) > MAX_NAME_LENGTH) {
			throw invalid(header, "has " + what + " longer than " + MAX_NAME_LENGTH + " characters");
		}
		return part;
	}

	/** A stored value of a field held nothing but control characters: its caller names the field. */
	private static final class NothingButControls extends RuntimeException {

		private static final long serialVersionUID = 1L;

		NothingButControls() {
			super(null, null, false, false);
		}

	}

	private static InvalidEventException nothingButControls(LisMessage.Header header, String field) {
		return invalid(header, "has a value in " + field
				+ " that is nothing but control characters (from escapes such as \\X00\\)");
	}

	static String unescape(String value) {
		if (value.indexOf('\\') < 0) {
			return value;
		}
		String decoded = HEX_ESCAPE.matcher(value).replaceAll((match) -> Matcher.quoteReplacement(hex(match.group(1))));
		return OTHER_ESCAPE.matcher(FORMATTING_ESCAPE.matcher(decoded).replaceAll(" ")).replaceAll("");
	}

	/** A value's text as it is stored, served and published: {@link PlainText#of(String)}. */
	static String clean(String value) {
		return PlainText.of(value);
	}

	/**
	 * A hexadecimal escape's bytes: in the message's character set when MSH-18 names another ISO 8859 part or a
	 * Chinese or Korean set ({@link #ESCAPES}; bytes that are no text there are refused), else UTF-8 when they are,
	 * else windows-1252 (ISO 8859-1 but for the quotes, dashes and
	 * euro sign at 0x80-0x9F, where ISO 8859-1 has C1 controls: {@code O\X92\Brien} is O’Brien, not OBrien). A byte
	 * windows-1252 leaves undefined is refused ({@link UndefinedByte}), as it is in a record's bytes.
	 */
	private static String hex(String digits) {
		byte[] bytes = HexFormat.of().parseHex(digits);
		Charset declared = ESCAPES.get();
		if (declared != null) {
			String text = strictly(declared, bytes);
			if (text == null) {
				throw new NotInDeclaredSet(declared);
			}
			return text;
		}
		String utf8 = strictly(StandardCharsets.UTF_8, bytes);
		if (utf8 != null) {
			return utf8;
		}
		String windows = strictly(WINDOWS_1252, bytes);
		if (windows == null) {
			for (byte b : bytes) {
				if (isUndefinedInWindows1252(b & 0xFF)) {
					throw new UndefinedByte(b & 0xFF);
				}
			}
		}
		return windows;
	}

	/** A hexadecimal escape whose bytes are no text in the message's declared character set. */
	private static final class NotInDeclaredSet extends RuntimeException {

		private static final long serialVersionUID = 1L;

		private final transient Charset charset;

		NotInDeclaredSet(Charset charset) {
			super(null, null, false, false);
			this.charset = charset;
		}

	}

	/** A hexadecimal escape of a byte windows-1252 leaves undefined: its caller names the message. */
	private static final class UndefinedByte extends RuntimeException {

		private static final long serialVersionUID = 1L;

		private final int value;

		UndefinedByte(int value) {
			super(null, null, false, false);
			this.value = value;
		}

	}

	private static InvalidEventException undefinedByte(String er7, UndefinedByte ex) {
		return new InvalidEventException("HL7 message" + describeRaw(er7) + " has a hexadecimal escape of byte "
				+ "0x%02X, which is not UTF-8 and no character in ISO 8859-1 (a C1 control) nor in windows-1252"
					.formatted(ex.value));
	}

	/**
	 * The message type and control id of a message HAPI could not parse, read from the raw MSH when they
	 * look like what they should be (a message type; a control id by {@link #controlIdProblem}'s rule), for the
	 * DLQ's error message.
	 */
	private static String describeRaw(String er7) {
		// the first MSH: a batch's is after its FHS and BHS
		String msh = normalize(er7).lines().filter((segment) -> segment.startsWith("MSH")).findFirst().orElse("");
		if (msh.length() < 8) {
			return "";
		}
		String[] fields = msh.split(Pattern.quote(String.valueOf(msh.charAt(3))), -1);
		// fields[0] is "MSH", so MSH-n is fields[n - 1]
		String type = (fields.length > 8) ? safe(fields[8]) : null;
		String controlId = (fields.length > 9 && controlIdProblem(fields[9].strip()) == null) ? fields[9].strip() : null;
		StringBuilder description = new StringBuilder();
		if (type != null) {
			description.append(' ').append(type);
		}
		if (controlId != null) {
			description.append(" (control id ").append(controlId).append(')');
		}
		return description.toString();
	}

	/**
	 * What makes a message control id one this service does not take, or null when it takes it: MSH-10 is HL7's ST,
	 * printable text of at most {@value #MAX_CONTROL_ID_LENGTH} characters. It is the key of the message's claim
	 * (with its sender and digest), the id of its audit records and part of log lines and of dead letters' reasons:
	 * none of those needs it to be a token, and each is kept sound by its being one line of visible text.
	 */
	static @Nullable String controlIdProblem(String controlId) {
		if (controlId.isEmpty()) {
			return "it is empty";
		}
		if (UNPRINTABLE.matcher(controlId).find()) {
			return "it holds a control or format character";
		}
		int length = controlId.codePointCount(0, controlId.length());
		return (length > MAX_CONTROL_ID_LENGTH) ? "it is " + length + " characters long" : null;
	}

	private static @Nullable String safe(String token) {
		return SAFE_TOKEN.matcher(token).matches() ? token : null;
	}

}
