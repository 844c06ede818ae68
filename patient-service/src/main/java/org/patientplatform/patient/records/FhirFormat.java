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
 * {@code Accept} header's most preferred of the two, else JSON. {@code _pretty=true} indents the answer.
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

	/** A parser writing this encoding, indented when the request asked for it with {@code _pretty=true}. */
	IParser writer(FhirContext fhir, HttpServletRequest request) {
		IParser parser = (this == XML) ? fhir.newXmlParser() : fhir.newJsonParser();
		return parser.setPrettyPrint("true".equals(request.getParameter("_pretty")));
	}

	/**
	 * @throws Unsupported when {@code _format} names an encoding this server does not write
	 */
	static FhirFormat of(HttpServletRequest request) {
		String format = request.getParameter("_format");
		if (format != null && !format.isBlank()) {
			FhirFormat named = named(format);
			if (named == null) {
				throw new Unsupported(format);
			}
			return named;
		}
		return accepted(request.getHeader("Accept"));
	}

	/** The encoding for an answer that cannot wait for {@link #of}'s verdict: JSON when it has none. */
	static FhirFormat orJson(HttpServletRequest request) {
		try {
			return of(request);
		}
		catch (Unsupported ex) {
			return JSON;
		}
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
		// the most preferred first; of equal preference, the order the client wrote them in
		return types.stream()
			.sorted(Comparator.comparingDouble(MediaType::getQualityValue).reversed())
			.filter((type) -> type.getQualityValue() > 0)
			.map((type) -> type.isWildcardType() || type.isWildcardSubtype() ? JSON
					: named(type.getType() + "/" + type.getSubtype()))
			.filter((format) -> format != null)
			.findFirst()
			.orElse(JSON);
	}

	/** {@code _format} names an encoding this server does not write: 406, as FHIR's REST API says. */
	static final class Unsupported extends RuntimeException {

		Unsupported(String format) {
			super("_format " + ((format.length() > 100) ? format.substring(0, 100) + "…" : format)
					+ " is not an encoding this server writes: json or xml, or their MIME types.");
		}

	}

}
