package org.patientplatform.kit.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.deser.DeserializationProblemHandler;
import tools.jackson.databind.deser.ValueInstantiator;
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

	/** Registers the handler that notes wrong fields with the application's JSON mapper. */
	public static JacksonModule module() {
		return new tools.jackson.databind.module.SimpleModule("platform-body-field-errors") {

			@Override
			public void setupModule(SetupContext context) {
				super.setupModule(context);
				context.addHandler(new Noting());
			}

		};
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
