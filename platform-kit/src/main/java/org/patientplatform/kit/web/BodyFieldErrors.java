package org.patientplatform.kit.web;

import java.lang.annotation.Annotation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Negative;
import jakarta.validation.constraints.NegativeOrZero;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.DeserializationProblemHandler;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.ValueInstantiator;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.util.ClassUtil;

/**
 * Every field of a request body that does not read as its type, not only the first. Jackson stops at the first
 * value it cannot read, so a client fixing a body learnt of one wrong field per attempt. While a body is read
 * ({@link #collect}), a value of the wrong type or format is noted with its field and read as null (a primitive as
 * its default), and the reading goes on; the body is then refused with every field noted
 * ({@link #drain}, {@code ProblemDetailsAdvice}). An event's data is read so too ({@link #collectEventData}), but
 * for the fields its type does not know, which it skips. Outside these (stored JSON) nothing is collected and
 * Jackson fails at once, as before. Never the value, which can be patient data.
 */
public final class BodyFieldErrors {

	/** What a field of the wrong type or format is told. */
	public static final String WRONG_TYPE = "has the wrong type or format";

	/**
	 * For a duration that does not read: java.time.Duration takes no weeks, months or years (P1W, P1M), which are
	 * not fixed lengths; "has the wrong type or format" did not say so.
	 */
	public static final String DURATION = "must be an ISO-8601 duration of days, hours, minutes or seconds, such as "
			+ "PT12H, P7D or P1DT6H (weeks, months and years are not fixed lengths)";

	/**
	 * For text holding half of a UTF-16 surrogate pair alone (a JSON escape such as {@code \\uD800} without its
	 * pair): it is no character, and was stored by PostgreSQL as {@code ?} in its place, or made the Kafka client
	 * write a record the broker refused (a 503 "try again" for a header key).
	 */
	public static final String UNPAIRED_SURROGATE = "holds an unpaired UTF-16 surrogate (a \\uD800 to \\uDFFF escape "
			+ "without its pair), which is no character";

	/** What a field the body's type does not have is told. */
	public static final String UNKNOWN_FIELD = "is not a field of this body (its schema is in the OpenAPI document)";

	/** A field an object names twice (Jackson would keep the last value, and the sender would not know). */
	public static final String DUPLICATE_FIELD = "is given more than once; give each field once";

	/** Jackson's message for a field an object names twice, up to the name. */
	private static final String DUPLICATE_PREFIX = "Duplicate Object property \"";

	private static final ThreadLocal<@Nullable List<Map<String, Object>>> COLLECTED = new ThreadLocal<>();

	private static final ThreadLocal<@Nullable Boolean> EVENT_DATA = new ThreadLocal<>();

	/** How many of the fields noted are whole numbers past their range ({@link #outOfRange}), the rest read. */
	private static final ThreadLocal<@Nullable Integer> OUT_OF_RANGE = new ThreadLocal<>();

	private BodyFieldErrors() {
	}

	/** From now until {@link #drain}, this thread's reading of JSON notes wrong fields instead of failing. */
	public static void collect() {
		COLLECTED.set(new ArrayList<>());
		EVENT_DATA.remove();
		OUT_OF_RANGE.remove();
	}

	/**
	 * As {@link #collect}, for an event's data: its scalars are read as strictly as a body's (a number for an id
	 * was read as its text, and an event about patient "123" was applied), but a field its type does not know is
	 * skipped, as a consumer must when a producer adds one.
	 */
	public static void collectEventData() {
		COLLECTED.set(new ArrayList<>());
		EVENT_DATA.set(Boolean.TRUE);
		OUT_OF_RANGE.remove();
	}

	/** The fields noted since {@link #collect}, in the body's order; collecting stops. */
	public static List<Map<String, Object>> drain() {
		List<Map<String, Object>> collected = COLLECTED.get();
		COLLECTED.remove();
		EVENT_DATA.remove();
		OUT_OF_RANGE.remove();
		return (collected != null) ? collected : List.of();
	}

	/**
	 * True when every field noted since {@link #collect} (one at least) is a whole number past its range, and the
	 * rest of the body read: a value of the field's JSON type, refused as a value past a {@code @Max} is, so the
	 * body's constraints can be checked beside it ({@code BodyFieldErrorsAdvice}). Read before {@link #drain}.
	 */
	static boolean onlyOutOfRange() {
		List<Map<String, Object>> collected = COLLECTED.get();
		Integer outOfRange = OUT_OF_RANGE.get();
		return collected != null && !collected.isEmpty() && outOfRange != null && outOfRange == collected.size();
	}

	/** True while a request body is read ({@link #collect} until {@link #drain}). */
	static boolean collecting() {
		return COLLECTED.get() != null;
	}

	/**
	 * Notes a wrong field when a body is being read.
	 * @return false when none is (the caller fails as Jackson would)
	 */
	static boolean note(@Nullable JsonParser parser, String message) {
		return note((parser != null) ? parser.streamReadContext() : null, message);
	}

	/** Notes a whole number past its field's range ({@link #onlyOutOfRange}); false as {@link #note}. */
	static boolean noteOutOfRange(JsonParser parser, String message) {
		if (!note(parser, message)) {
			return false;
		}
		Integer noted = OUT_OF_RANGE.get();
		OUT_OF_RANGE.set((noted != null) ? noted + 1 : 1);
		return true;
	}

	/**
	 * @param context where the wrong value is; at the body's root (a whole body of the wrong shape) nothing is
	 * noted, and the caller fails as Jackson would: the body is not the object the operation takes
	 */
	private static boolean note(@Nullable TokenStreamContext context, String message) {
		List<Map<String, Object>> collected = COLLECTED.get();
		String field = path(context);
		if (collected == null || field.isEmpty()) {
			return false;
		}
		collected.add(Map.of("field", field, "message", message));
		return true;
	}

	/**
	 * Where a field the body's type does not have is: the path of the object holding it, then its name. The parser
	 * is at its value (which may have opened an object or array), and a record's fields are read from a buffer
	 * whose contexts repeat the name of the field they were buffered under; so a name is taken once where it
	 * follows itself.
	 */
	static String unknownPath(@Nullable TokenStreamContext context, String propertyName) {
		List<String> parts = new ArrayList<>();
		for (TokenStreamContext at = context; at != null && !at.inRoot(); at = at.getParent()) {
			String part = null;
			if (at.inObject() && at.currentName() != null) {
				part = "." + at.currentName();
			}
			else if (at.inArray() && at.getCurrentIndex() >= 0) {
				part = "[" + at.getCurrentIndex() + "]";
			}
			if (part != null && (parts.isEmpty() || !parts.getFirst().equals(part))) {
				parts.addFirst(part);
			}
		}
		if (parts.isEmpty() || !parts.getLast().equals("." + propertyName)) {
			parts.addLast("." + propertyName);
		}
		return String.join("", parts).substring(1);
	}

	/** The field a parser is at, as the problem's errors name fields: {@code channels.email}, {@code ids[2]}. */
	/**
	 * The field a JSON object names twice, with the path of the object it is in, when that is why the reading failed
	 * (strict duplicate detection), else null. A field's name is the schema's, never patient data.
	 */
	public static @Nullable String duplicateField(Throwable failure) {
		for (Throwable at = failure; at != null; at = (at.getCause() == at) ? null : at.getCause()) {
			if (at instanceof StreamReadException read && read.getOriginalMessage() != null
					&& read.getOriginalMessage().startsWith(DUPLICATE_PREFIX)) {
				String message = read.getOriginalMessage();
				int end = message.indexOf('"', DUPLICATE_PREFIX.length());
				String name = message.substring(DUPLICATE_PREFIX.length(), (end < 0) ? message.length() : end);
				// the parser stays where it found the second name: in the object, whose parents give its path
				String in = (read.processor() instanceof JsonParser parser)
						? path(parser.streamReadContext().getParent()) : "";
				return in.isEmpty() ? name : in + "." + name;
			}
		}
		return null;
	}

	/**
	 * The path of the field a Jackson failure is about, as the JSON names it ({@code patientId},
	 * {@code items[2].code}), never the Java class it was read into; empty when the failure names none.
	 */
	public static String path(JacksonException ex) {
		StringBuilder path = new StringBuilder();
		for (JacksonException.Reference reference : ex.getPath()) {
			if (reference.getPropertyName() != null) {
				path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return path.toString();
	}

	static String path(@Nullable TokenStreamContext context) {
		List<String> parts = new ArrayList<>();
		for (TokenStreamContext at = context; at != null && !at.inRoot(); at = at.getParent()) {
			if (at.inObject() && at.currentName() != null) {
				parts.addFirst("." + at.currentName());
			}
			else if (at.inArray() && at.getCurrentIndex() >= 0) {
				// (an array just opened, where a value was expected, has no element yet)
				parts.addFirst("[" + at.getCurrentIndex() + "]");
			}
		}
		String path = String.join("", parts);
		return path.startsWith(".") ? path.substring(1) : path;
	}

	/**
	 * Registers the handler that notes wrong fields with the application's JSON mapper, and the stricter reading
	 * of scalars in a request body ({@link Strict}); outside a body's reading (event data, stored JSON) they read
	 * as Jackson does.
	 */
	public static JacksonModule module() {
		return new tools.jackson.databind.module.SimpleModule("platform-body-field-errors") {

			@Override
			public void setupModule(SetupContext context) {
				super.setupModule(context);
				context.addHandler(new Noting());
				context.addDeserializerModifier(new ValueDeserializerModifier() {

					@Override
					public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config,
							BeanDescription.Supplier description, ValueDeserializer<?> deserializer) {
						Class<?> type = description.getBeanClass();
						Strict.Kind kind = Strict.kind(type);
						return (kind != null) ? new Strict(deserializer, type, kind, outOfRange(type, null))
								: deserializer;
					}

				});
			}

		};
	}

	/**
	 * What a whole number past its field's range is told: the field's own bounds where it declares them
	 * ({@code @Min}, {@code @Max}, {@code @Positive}, {@code @PositiveOrZero}, {@code @Negative},
	 * {@code @NegativeOrZero}, {@code @DecimalMin}, {@code @DecimalMax}), else its Java type's: a capacity of
	 * {@code @Min(1) @Max(1000)} given {@code 12345678901234567890} was told an int's range, "from -2147483648 to
	 * 2147483647", though 1001 is refused too. A field with {@code @Min(0)} alone is told "from 0 to 2147483647".
	 * @param type the field's type: int, long, short, byte or their boxes
	 * @param property the field, or null when the value is no field's (the type's range then)
	 * @return the message, or null for another type
	 */
	static @Nullable String outOfRange(Class<?> type, @Nullable BeanProperty property) {
		BigInteger[] range = typeRange(type);
		if (range == null) {
			return null;
		}
		BigInteger low = range[0];
		BigInteger high = range[1];
		if (property != null) {
			for (BigInteger bound : lowerBounds(property)) {
				low = low.max(bound);
			}
			for (BigInteger bound : upperBounds(property)) {
				high = high.min(bound);
			}
		}
		return "must be a whole number from " + low + " to " + high;
	}

	/** The smallest and largest value of a whole-number type, or null for another type. */
	private static BigInteger @Nullable [] typeRange(Class<?> type) {
		if (type == Integer.class || type == int.class) {
			return new BigInteger[] { BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE) };
		}
		if (type == Long.class || type == long.class) {
			return new BigInteger[] { BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE) };
		}
		if (type == Short.class || type == short.class) {
			return new BigInteger[] { BigInteger.valueOf(Short.MIN_VALUE), BigInteger.valueOf(Short.MAX_VALUE) };
		}
		if (type == Byte.class || type == byte.class) {
			return new BigInteger[] { BigInteger.valueOf(Byte.MIN_VALUE), BigInteger.valueOf(Byte.MAX_VALUE) };
		}
		return null;
	}

	private static List<BigInteger> lowerBounds(BeanProperty property) {
		List<BigInteger> bounds = new ArrayList<>();
		Min min = annotation(property, Min.class);
		if (min != null) {
			bounds.add(BigInteger.valueOf(min.value()));
		}
		if (annotation(property, Positive.class) != null) {
			bounds.add(BigInteger.ONE);
		}
		if (annotation(property, PositiveOrZero.class) != null) {
			bounds.add(BigInteger.ZERO);
		}
		DecimalMin decimal = annotation(property, DecimalMin.class);
		BigDecimal value = (decimal != null) ? decimal(decimal.value()) : null;
		if (value != null) {
			// the smallest whole number it takes: 0.5 and 1 inclusive take 1, 1 exclusive takes 2
			BigInteger up = value.setScale(0, RoundingMode.CEILING).toBigInteger();
			bounds.add((!decimal.inclusive() && value.compareTo(new BigDecimal(up)) == 0) ? up.add(BigInteger.ONE)
					: up);
		}
		return bounds;
	}

	private static List<BigInteger> upperBounds(BeanProperty property) {
		List<BigInteger> bounds = new ArrayList<>();
		Max max = annotation(property, Max.class);
		if (max != null) {
			bounds.add(BigInteger.valueOf(max.value()));
		}
		if (annotation(property, Negative.class) != null) {
			bounds.add(BigInteger.ONE.negate());
		}
		if (annotation(property, NegativeOrZero.class) != null) {
			bounds.add(BigInteger.ZERO);
		}
		DecimalMax decimal = annotation(property, DecimalMax.class);
		BigDecimal value = (decimal != null) ? decimal(decimal.value()) : null;
		if (value != null) {
			BigInteger down = value.setScale(0, RoundingMode.FLOOR).toBigInteger();
			bounds.add((!decimal.inclusive() && value.compareTo(new BigDecimal(down)) == 0)
					? down.subtract(BigInteger.ONE) : down);
		}
		return bounds;
	}

	/**
	 * A constraint of the field, in the default group: one limited to other groups may not apply to this request,
	 * and a range it does not check would be told.
	 */
	private static <A extends Annotation> @Nullable A annotation(BeanProperty property, Class<A> type) {
		A annotation = property.getAnnotation(type);
		if (annotation == null) {
			return null;
		}
		try {
			Class<?>[] groups = (Class<?>[]) type.getMethod("groups").invoke(annotation);
			return (groups.length == 0 || List.of(groups).contains(jakarta.validation.groups.Default.class))
					? annotation : null;
		}
		catch (ReflectiveOperationException ex) {
			return annotation;
		}
	}

	private static @Nullable BigDecimal decimal(String value) {
		try {
			return new BigDecimal(value);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * What a body's field of the type takes, for one that did not read: the form of a date, a number, text, a list
	 * or an object. Before, every such field was told {@link #WRONG_TYPE}, and a client sending a date for a
	 * date-time was not told it lacks its time and offset.
	 */
	static String expected(Class<?> type) {
		if (Collection.class.isAssignableFrom(type) || type.isArray()) {
			return "must be a list";
		}
		if (type.isRecord() || Map.class.isAssignableFrom(type)) {
			return "must be an object";
		}
		return ProblemDetailsAdvice.expected(type);
	}

	/**
	 * The known field a misspelt one most likely meant, whatever the case: one at most two typing slips away (a
	 * letter missing, added, changed or two swapped) when the name is longer than twice that, or one the name cuts
	 * short or runs past (of four letters at least: {@code ratePerSec}); null when none is that close.
	 */
	static @Nullable String closest(String name, Collection<String> known) {
		String given = name.toLowerCase(Locale.ROOT);
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (String candidate : known) {
			String lower = candidate.toLowerCase(Locale.ROOT);
			int distance = distance(given, lower);
			if (distance < bestDistance) {
				best = candidate;
				bestDistance = distance;
			}
		}
		if (best != null && bestDistance <= 2 && bestDistance * 2 < given.length()) {
			return best;
		}
		for (String candidate : known) {
			String lower = candidate.toLowerCase(Locale.ROOT);
			if (Math.min(lower.length(), given.length()) >= 4 && (lower.startsWith(given) || given.startsWith(lower))) {
				return candidate;
			}
		}
		return null;
	}

	/** The optimal string alignment distance of two short names: slips of one letter, and two letters swapped. */
	private static int distance(String a, String b) {
		int[][] d = new int[a.length() + 1][b.length() + 1];
		for (int i = 0; i <= a.length(); i++) {
			d[i][0] = i;
		}
		for (int j = 0; j <= b.length(); j++) {
			d[0][j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			for (int j = 1; j <= b.length(); j++) {
				int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
				d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
				if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
					d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
				}
			}
		}
		return d[a.length()][b.length()];
	}

	/** True when text holds a surrogate without its pair. */
	static boolean hasUnpairedSurrogate(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * A scalar in a request body is read only from the JSON type its field has; Jackson coerced the others, so a
	 * wrong value was taken for another: a number or boolean for text ({@code 1.5}, {@code true} read as the text
	 * "1.5", "true"), text for a number ({@code "7000"}), anything but true or false for a boolean ({@code 1},
	 * {@code "  "} read as true, as false), empty or blank text for a date, time or duration (read as none: a
	 * {@code notBefore} of {@code "  "} meant now), and a number for a date or time (read as seconds since 1970:
	 * {@code 1.5} was 1970-01-01T00:00:01.500Z; the API documents ISO 8601 text). Text with an unpaired surrogate
	 * is refused too ({@link #UNPAIRED_SURROGATE}). Null is left to the validation, as before.
	 */
	private static final class Strict extends DelegatingDeserializer {

		enum Kind {

			TEXT, NUMBER, BOOLEAN, TIME, DURATION

		}

		private static final List<Class<?>> NUMBERS = List.of(Integer.class, int.class, Long.class, long.class,
				Short.class, short.class, Byte.class, byte.class, Double.class, double.class, Float.class, float.class,
				java.math.BigDecimal.class, java.math.BigInteger.class);

		private static final List<Class<?>> TIMES = List.of(Instant.class, OffsetDateTime.class, ZonedDateTime.class,
				LocalDateTime.class, LocalDate.class, LocalTime.class);

		private final Class<?> type;

		private final Kind kind;

		/** What a whole number past the field's range is told ({@link #outOfRange}); null for another type. */
		private final @Nullable String outOfRange;

		Strict(ValueDeserializer<?> delegate, Class<?> type, Kind kind, @Nullable String outOfRange) {
			super(delegate);
			this.type = type;
			this.kind = kind;
			this.outOfRange = outOfRange;
		}

		static @Nullable Kind kind(Class<?> type) {
			if (type == String.class) {
				return Kind.TEXT;
			}
			if (NUMBERS.contains(type)) {
				return Kind.NUMBER;
			}
			if (type == Boolean.class || type == boolean.class) {
				return Kind.BOOLEAN;
			}
			if (TIMES.contains(type)) {
				return Kind.TIME;
			}
			return (type == Duration.class) ? Kind.DURATION : null;
		}

		@Override
		protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
			return new Strict(delegate, this.type, this.kind, this.outOfRange);
		}

		/** For a whole number, the field's own range from its constraints ({@link #outOfRange}). */
		@Override
		public ValueDeserializer<?> createContextual(DeserializationContext context, @Nullable BeanProperty property) {
			ValueDeserializer<?> contextual = super.createContextual(context, property);
			// (a list's elements are contextualised with the list: its constraints are not theirs)
			String range = (property != null && property.getType().hasRawClass(this.type))
					? outOfRange(this.type, property) : null;
			if (range == null || range.equals(this.outOfRange) || !(contextual instanceof Strict strict)) {
				return contextual;
			}
			return new Strict(strict.getDelegatee(), this.type, this.kind, range);
		}

		@Override
		public Object deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
			// outside a request body (event data, stored JSON) nothing is checked: every text of every event is read here
			if (!collecting()) {
				return super.deserialize(parser, context);
			}
			JsonToken token = parser.currentToken();
			if (token != null && token.isScalarValue() && token != JsonToken.VALUE_NULL && !takes(token, parser)
					&& note(parser, expected(this.type))) {
				return Noting.placeholder(this.type);
			}
			// a whole number past its type's range is told the field's own range, and the reading goes on: Jackson
			// stopped at it, naming the type's range ("from -2147483648 to 2147483647" for a capacity of 1 to 1000)
			if (token == JsonToken.VALUE_NUMBER_INT && this.outOfRange != null && pastType(parser)
					&& noteOutOfRange(parser, this.outOfRange)) {
				return Noting.placeholder(this.type);
			}
			Object value = super.deserialize(parser, context);
			if (value instanceof String text && hasUnpairedSurrogate(text) && note(parser, UNPAIRED_SURROGATE)) {
				return null;
			}
			return value;
		}

		/** True when the whole number the parser is at does not fit the field's type. */
		private boolean pastType(JsonParser parser) throws JacksonException {
			BigInteger[] range = typeRange(this.type);
			if (range == null) {
				return false;
			}
			JsonParser.NumberType numberType = parser.getNumberType();
			if (numberType == JsonParser.NumberType.INT
					&& (this.type == Integer.class || this.type == int.class)) {
				return false;
			}
			if (numberType != JsonParser.NumberType.BIG_INTEGER
					&& (this.type == Long.class || this.type == long.class)) {
				return false;
			}
			BigInteger value = parser.getBigIntegerValue();
			return value.compareTo(range[0]) < 0 || value.compareTo(range[1]) > 0;
		}

		private boolean takes(JsonToken token, JsonParser parser) throws JacksonException {
			return switch (this.kind) {
				case TEXT -> token == JsonToken.VALUE_STRING;
				case NUMBER -> token.isNumeric();
				case BOOLEAN -> token.isBoolean();
				case TIME -> token == JsonToken.VALUE_STRING && !parser.getString().isBlank();
				case DURATION -> token.isNumeric() || (token == JsonToken.VALUE_STRING && !parser.getString().isBlank());
			};
		}

	}

	private static final class Noting extends DeserializationProblemHandler {

		/**
		 * A field the body's type does not have is refused in a request body, naming it (and the field it is
		 * closest to, for a typo): ignored, a misspelt {@code dryRun} or filter field started a real bulk redrive
		 * of everything. Event data and stored JSON still skip fields they do not know (a producer may add one).
		 */
		@Override
		public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
				ValueDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws JacksonException {
			List<Map<String, Object>> collected = COLLECTED.get();
			if (collected == null || EVENT_DATA.get() != null) {
				return false;
			}
			List<String> known = new ArrayList<>();
			if (deserializer != null) {
				deserializer.getKnownPropertyNames().forEach((name) -> known.add(String.valueOf(name)));
			}
			String closest = closest(propertyName, known);
			collected.add(Map.of("field", unknownPath(parser.streamReadContext(), propertyName), "message",
					UNKNOWN_FIELD + ((closest != null) ? " (did you mean " + closest + "?)" : "")));
			parser.skipChildren();
			return true;
		}

		@Override
		public Object handleWeirdStringValue(DeserializationContext context, Class<?> targetType, String value,
				String failure) throws JacksonException {
			return note(context.getParser(), expected(targetType)) ? placeholder(targetType) : NOT_HANDLED;
		}

		@Override
		public Object handleWeirdNumberValue(DeserializationContext context, Class<?> targetType, Number value,
				String failure) throws JacksonException {
			return note(context.getParser(), expected(targetType)) ? placeholder(targetType) : NOT_HANDLED;
		}

		@Override
		public Object handleUnexpectedToken(DeserializationContext context, JavaType targetType, JsonToken token,
				JsonParser parser, String failure) throws JacksonException {
			if (inArray(parser) || !note(parser, expected(targetType.getRawClass()))) {
				return NOT_HANDLED;
			}
			// an object or array where a value was expected: past it, to go on with the next field
			parser.skipChildren();
			return placeholder(targetType.getRawClass());
		}

		@Override
		public Object handleMissingInstantiator(DeserializationContext context, Class<?> instanceClass,
				ValueInstantiator instantiator, JsonParser parser, String failure) throws JacksonException {
			if (inArray(parser) || !note(parser, expected(instanceClass))) {
				return NOT_HANDLED;
			}
			parser.skipChildren();
			return placeholder(instanceClass);
		}

		/**
		 * An unexpected token inside an array is left to fail as before (the fields noted until then are still
		 * listed): Jackson steps into an array given for a single value before it reports it, and the element
		 * cannot be told from the value itself, so a body that is an array, or a field given as one, would be
		 * named by its first element.
		 */
		private static boolean inArray(JsonParser parser) {
			TokenStreamContext context = parser.streamReadContext();
			return context != null && context.inArray();
		}

		private static @Nullable Object placeholder(Class<?> type) {
			return type.isPrimitive() ? ClassUtil.defaultValue(type) : null;
		}

	}

}
