package org.patientplatform.kit.web;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.databind.BeanDescription;
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
 * ({@link #drain}, {@code ProblemDetailsAdvice}). Outside a body's reading (event data, stored JSON) nothing is
 * collected and Jackson fails at once, as before. Never the value, which can be patient data.
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

	private static final ThreadLocal<@Nullable List<Map<String, Object>>> COLLECTED = new ThreadLocal<>();

	private BodyFieldErrors() {
	}

	/** From now until {@link #drain}, this thread's reading of JSON notes wrong fields instead of failing. */
	public static void collect() {
		COLLECTED.set(new ArrayList<>());
	}

	/** The fields noted since {@link #collect}, in the body's order; collecting stops. */
	public static List<Map<String, Object>> drain() {
		List<Map<String, Object>> collected = COLLECTED.get();
		COLLECTED.remove();
		return (collected != null) ? collected : List.of();
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

	/** The field a parser is at, as the problem's errors name fields: {@code channels.email}, {@code ids[2]}. */
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
	 * of text and dates in a request body ({@link StrictText}, {@link StrictTime}); outside a body's reading
	 * (event data, stored JSON) they read as Jackson does.
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
						if (type == String.class) {
							return new StrictText(deserializer);
						}
						return StrictTime.TYPES.contains(type) ? new StrictTime(deserializer) : deserializer;
					}

				});
			}

		};
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
	 * Text in a request body: a number or a boolean given for it is of the wrong type (Jackson took {@code 1.5} or
	 * {@code true} as the text "1.5", "true"), and text with an unpaired surrogate is refused
	 * ({@link #UNPAIRED_SURROGATE}).
	 */
	private static final class StrictText extends DelegatingDeserializer {

		StrictText(ValueDeserializer<?> delegate) {
			super(delegate);
		}

		@Override
		protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
			return new StrictText(delegate);
		}

		@Override
		public Object deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
			if (collecting() && parser.currentToken() != null && parser.currentToken().isScalarValue()
					&& parser.currentToken() != JsonToken.VALUE_STRING && note(parser, WRONG_TYPE)) {
				return null;
			}
			Object value = super.deserialize(parser, context);
			if (value instanceof String text && hasUnpairedSurrogate(text) && note(parser, UNPAIRED_SURROGATE)) {
				return null;
			}
			return value;
		}

	}

	/**
	 * A date, time or duration in a request body: empty or blank text is of the wrong format (Jackson took it as
	 * no value, so a {@code notBefore} of {@code "  "} meant now), and so is a number for a date or time (Jackson
	 * took it as seconds since 1970: {@code 1.5} was 1970-01-01T00:00:01.500Z); the API documents ISO 8601 text.
	 */
	private static final class StrictTime extends DelegatingDeserializer {

		static final List<Class<?>> TYPES = List.of(Instant.class, OffsetDateTime.class, ZonedDateTime.class,
				LocalDateTime.class, LocalDate.class, LocalTime.class, Duration.class);

		StrictTime(ValueDeserializer<?> delegate) {
			super(delegate);
		}

		@Override
		protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
			return new StrictTime(delegate);
		}

		@Override
		public Object deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
			JsonToken token = parser.currentToken();
			Class<?> type = handledType();
			boolean wrong = (token == JsonToken.VALUE_STRING) ? parser.getString().isBlank()
					: token != null && token.isNumeric() && type != Duration.class;
			if (collecting() && wrong && note(parser, (type == Duration.class) ? DURATION : WRONG_TYPE)) {
				return null;
			}
			return super.deserialize(parser, context);
		}

	}

	private static final class Noting extends DeserializationProblemHandler {

		@Override
		public Object handleWeirdStringValue(DeserializationContext context, Class<?> targetType, String value,
				String failure) throws JacksonException {
			return note(context.getParser(), (targetType == Duration.class) ? DURATION : WRONG_TYPE)
					? placeholder(targetType) : NOT_HANDLED;
		}

		@Override
		public Object handleWeirdNumberValue(DeserializationContext context, Class<?> targetType, Number value,
				String failure) throws JacksonException {
			return note(context.getParser(), WRONG_TYPE) ? placeholder(targetType) : NOT_HANDLED;
		}

		@Override
		public Object handleUnexpectedToken(DeserializationContext context, JavaType targetType, JsonToken token,
				JsonParser parser, String failure) throws JacksonException {
			if (inArray(parser) || !note(parser, WRONG_TYPE)) {
				return NOT_HANDLED;
			}
			// an object or array where a value was expected: past it, to go on with the next field
			parser.skipChildren();
			return placeholder(targetType.getRawClass());
		}

		@Override
		public Object handleMissingInstantiator(DeserializationContext context, Class<?> instanceClass,
				ValueInstantiator instantiator, JsonParser parser, String failure) throws JacksonException {
			if (inArray(parser) || !note(parser, WRONG_TYPE)) {
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
