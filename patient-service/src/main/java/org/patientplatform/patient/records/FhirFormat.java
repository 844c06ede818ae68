package org.patientplatform.patient.records;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * The encoding a FHIR client asked for, as FHIR R4's REST API has it (http.html, "Content Types and encodings"):
 * the {@code _format} parameter when given ({@code json}, {@code xml} or one of their MIME types), else the
 * {@code Accept} header's most preferred of the two, else JSON. {@code _pretty=true} indents the answer. Strict as the
 * search is: {@code _format} or {@code _pretty} given twice, or {@code _pretty} neither {@code true} nor {@code false},
 * is refused ({@link Invalid}), not read as its first value or as false; an {@code Accept} that refuses both encodings
 * ({@code q=0}) is not answered in one of them ({@link Unsupported}).
 */
enum FhirFormat {

	JSON(MediaType.parseMediaType("application/fhir+json;charset=UTF-8")),

	XML(MediaType.parseMediaType("application/fhir+xml;charset=UTF-8"));

	// with the types of FHIR DSTU2 (application/json+fhir, application/xml+fhir), which R4 asks servers to take still
	private static final List<String> JSON_NAMES = List.of("json", "application/json", "application/fhir+json",
			"application/json+fhir");

	private static final List<String> XML_NAMES = List.of("xml", "text/xml", "application/xml", "application/fhir+xml",
			"application/xml+fhir");

	private final MediaType mediaType;

	FhirFormat(MediaType mediaType) {
		this.mediaType = mediaType;
	}

	MediaType mediaType() {
		return this.mediaType;
	}

	/**
	 * A parser writing this encoding, indented when the request asked for it with {@code _pretty=true} (once: an
	 * answer to a request {@link #of} refused is written as the refusal needs, never refused again).
	 */
	IParser writer(FhirContext fhir, HttpServletRequest request) {
		IParser parser = (this == XML) ? fhir.newXmlParser() : fhir.newJsonParser();
		String[] pretty = request.getParameterValues("_pretty");
		return parser.setPrettyPrint(pretty != null && pretty.length == 1 && "true".equals(pretty[0].strip()));
	}

	/**
	 * @throws Invalid when {@code _format} or {@code _pretty} is given more than once, or {@code _pretty} is neither
	 *     true nor false
	 * @throws Unsupported when {@code _format} names an encoding this server does not write, or {@code Accept}
	 *     refuses both
	 */
	static FhirFormat of(HttpServletRequest request) {
		String pretty = once(request, "_pretty");
		if (pretty != null && !pretty.equals("true") && !pretty.equals("false")) {
			throw new Invalid("_pretty is true or false, not " + shown(pretty));
		}
		return encoding(request);
	}

	/** The encoding for an answer that cannot wait for {@link #of}'s verdict: JSON when it has none. */
	static FhirFormat orJson(HttpServletRequest request) {
		try {
			return encoding(request);
		}
		catch (Invalid | Unsupported ex) {
			return JSON;
		}
	}

	private static FhirFormat encoding(HttpServletRequest request) {
		String format = once(request, "_format");
		if (format != null) {
			FhirFormat named = named(format);
			if (named == null) {
				throw new Unsupported("_format " + shown(format)
						+ " is not an encoding this server writes: json or xml, or their MIME types.");
			}
			return named;
		}
		return accepted(request.getHeader("Accept"));
	}

	/** A parameter's value, stripped; null when it is not given or blank. */
	private static @Nullable String once(HttpServletRequest request, String name) {
		String[] values = request.getParameterValues(name);
		if (values == null || values.length == 0) {
			return null;
		}
		if (values.length > 1) {
			// as _count: which one the client meant cannot be told
			throw new Invalid(name + " is given " + values.length + " times; give it once");
		}
		return values[0].isBlank() ? null : values[0].strip();
	}

	private static @Nullable FhirFormat named(String text) {
		String name = text.strip().toLowerCase(Locale.ROOT);
		int parameters = name.indexOf(';');
		// a + in a query string is a space, as in _format=application/fhir xml
		name = ((parameters >= 0) ? name.substring(0, parameters) : name).strip().replace(' ', '+');
		if (JSON_NAMES.contains(name)) {
			return JSON;
		}
		return XML_NAMES.contains(name) ? XML : null;
	}

	/**
	 * The encoding {@code Accept} prefers, as HTTP's content negotiation reads it: each encoding takes the quality of
	 * the most specific range that names it ({@link #preference}); {@code q=0} refuses it. The more preferred wins; of
	 * equal preference, the one named the more specifically, then the one named first, then JSON. An {@code Accept}
	 * that names neither (a browser's {@code text/html} alone) gets JSON, as one that says nothing; one that refuses
	 * every encoding it names, and names no other this server writes, is not acceptable.
	 * @throws Unsupported when Accept leaves no encoding this server writes acceptable
	 */
	private static FhirFormat accepted(@Nullable String accept) {
		if (accept == null || accept.isBlank()) {
			return JSON;
		}
		List<MediaType> types;
		try {
			types = MediaType.parseMediaTypes(accept);
		}
		catch (InvalidMediaTypeException ex) {
			return JSON;
		}
		Preference json = preference(types, JSON);
		Preference xml = preference(types, XML);
		boolean jsonAcceptable = json != null && json.quality() > 0;
		boolean xmlAcceptable = xml != null && xml.quality() > 0;
		if (jsonAcceptable && xmlAcceptable) {
			return (xml.compareTo(json) > 0) ? XML : JSON;
		}
		if (jsonAcceptable || xmlAcceptable) {
			return jsonAcceptable ? JSON : XML;
		}
		if (json == null && xml == null) {
			return JSON;
		}
		throw new Unsupported("Accept " + shown(accept) + " leaves no encoding this server writes acceptable "
				+ "(q=0 refuses one): application/fhir+json or application/fhir+xml, or _format=json or xml.");
	}

	/**
	 * How much {@code Accept} wants an encoding, or null when no range of it names the encoding: the most specific
	 * range that does decides (RFC 9110, 12.5.1), the type this server writes ({@code application/fhir+json}) before
	 * another name of the encoding ({@code application/json}) before its type's wildcard ({@code application/*})
	 * before any; of equally specific ranges, the most preferred. So {@code application/fhir+json;q=0,
	 * application/*} refuses JSON (its type is refused by name), and {@code application/json;q=0,
	 * application/fhir+json} takes it.
	 */
	private static @Nullable Preference preference(List<MediaType> types, FhirFormat format) {
		String served = format.mediaType.getType() + "/" + format.mediaType.getSubtype();
		Preference decided = null;
		for (int i = 0; i < types.size(); i++) {
			MediaType range = types.get(i);
			int specificity = -1;
			for (String name : (format == JSON) ? JSON_NAMES : XML_NAMES) {
				int slash = name.indexOf('/');
				if (slash < 0) {
					continue;
				}
				boolean sameType = range.getType().equalsIgnoreCase(name.substring(0, slash));
				int matched = range.isWildcardType() ? 0
						: !sameType ? -1
						: range.isWildcardSubtype() ? 1
						: !range.getSubtype().equalsIgnoreCase(name.substring(slash + 1)) ? -1
						: name.equals(served) ? 3 : 2;
				specificity = Math.max(specificity, matched);
			}
			if (specificity < 0) {
				continue;
			}
			if (decided == null || specificity > decided.specificity()
					|| (specificity == decided.specificity() && range.getQualityValue() > decided.quality())) {
				decided = new Preference(range.getQualityValue(), specificity, i);
			}
		}
		return decided;
	}

	private static String shown(String value) {
		return (value.length() > 100) ? value.substring(0, 100) + "…" : value;
	}

	/**
	 * How much a client wants an encoding: the quality of the range that decided it, how specific that range is
	 * (3 the type this server writes, 2 another name of the encoding, 1 a type's wildcard, 0 any), and where it stands
	 * in {@code Accept}; the greater is preferred.
	 */
	private record Preference(double quality, int specificity, int position) implements Comparable<Preference> {

		@Override
		public int compareTo(Preference other) {
			return Comparator.comparingDouble(Preference::quality)
				.thenComparingInt(Preference::specificity)
				.thenComparing(Comparator.comparingInt(Preference::position).reversed())
				.compare(this, other);
		}

	}

	/** The format asked for is not one this server writes: 406, as FHIR's REST API says. */
	static final class Unsupported extends RuntimeException {

		Unsupported(String message) {
			super(message);
		}

	}

	/** {@code _format} or {@code _pretty} is malformed: a 400 OperationOutcome, as a malformed search parameter is. */
	static final class Invalid extends RuntimeException {

		Invalid(String message) {
			super(message);
		}

	}

}
