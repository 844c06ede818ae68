package org.patientplatform.kit.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.core.json.JsonFactory;

import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * What makes two requests with one {@code Idempotency-Key} the same request (the draft's "idempotency
 * fingerprint", draft-ietf-httpapi-idempotency-key-header §2.3, left to the resource): the method, the path and
 * the body, a JSON body as what it says rather than how it was written. A JSON body ({@code application/json}
 * or {@code +json}) is read and written again with each object's members sorted by name (UTF-16 code units,
 * as RFC 8785 sorts them; members of the same name keep their order, since the last one is what a reader
 * takes), no whitespace, strings with one escaping, and numbers exactly as written ({@code 2.0} is not
 * {@code 2} to an integer field that refuses fractions). Any other body, or one that does not read as
 * exactly one JSON value, is taken by its bytes. The two forms never match each other.
 *
 * <p>Stored as {@value #VERSION} followed by the SHA-256 in hex; {@link #legacyHash} is the raw-bytes
 * hash the kit stored before (and still stores beside it, for instances not yet upgraded).
 */
final class RequestFingerprint {

	/** The prefix of this fingerprint as stored, so a later form can be told from it. */
	static final String VERSION = "v2:";

	private static final JsonFactory JSON = new JsonFactory();

	private RequestFingerprint() {
	}

	/** The fingerprint of a request: its method, path and body, a JSON body canonical. */
	static String of(String method, String path, @Nullable String contentType, byte[] body) {
		String canonical = isJson(contentType) ? canonicalJson(body) : null;
		MessageDigest digest = digestOf(method, path);
		if (canonical != null) {
			digest.update("json\n".getBytes(StandardCharsets.UTF_8));
			digest.update(canonical.getBytes(StandardCharsets.UTF_8));
		}
		else {
			digest.update("bytes\n".getBytes(StandardCharsets.UTF_8));
			digest.update(body);
		}
		return VERSION + HexFormat.of().formatHex(digest.digest());
	}

	/** The raw-bytes hash the kit kept before {@link #of}: method, path and the body's bytes. */
	static String legacyHash(String method, String path, byte[] body) {
		MessageDigest digest = digestOf(method, path);
		digest.update(body);
		return HexFormat.of().formatHex(digest.digest());
	}

	static boolean isJson(@Nullable String contentType) {
		if (contentType == null) {
			return false;
		}
		try {
			MediaType type = MediaType.parseMediaType(contentType);
			return MediaType.APPLICATION_JSON.equalsTypeAndSubtype(type)
					|| ("application".equals(type.getType()) && type.getSubtype().endsWith("+json"));
		}
		catch (InvalidMediaTypeException ex) {
			return false;
		}
	}

	/** The body as canonical JSON, or null when it is not exactly one JSON value. */
	static @Nullable String canonicalJson(byte[] body) {
		try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), body)) {
			JsonToken first = parser.nextToken();
			if (first == null) {
				return null;
			}
			StringBuilder out = new StringBuilder(body.length);
			write(parser, first, out);
			return (parser.nextToken() == null) ? out.toString() : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static void write(JsonParser parser, JsonToken token, StringBuilder out) {
		switch (token) {
			case START_OBJECT -> {
				List<Map.Entry<String, String>> members = new ArrayList<>();
				for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
					String name = parser.currentName();
					StringBuilder value = new StringBuilder();
					write(parser, parser.nextToken(), value);
					members.add(Map.entry(name, value.toString()));
				}
				// a stable sort: members of one name keep the order they were sent in
				members.sort(Comparator.comparing(Map.Entry::getKey));
				out.append('{');
				for (int i = 0; i < members.size(); i++) {
					if (i > 0) {
						out.append(',');
					}
					quote(members.get(i).getKey(), out);
					out.append(':').append(members.get(i).getValue());
				}
				out.append('}');
			}
			case START_ARRAY -> {
				out.append('[');
				boolean firstElement = true;
				for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
					if (!firstElement) {
						out.append(',');
					}
					firstElement = false;
					write(parser, next, out);
				}
				out.append(']');
			}
			case VALUE_STRING -> quote(parser.getString(), out);
			// the number's text as it was sent
			case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.append(parser.getString());
			case VALUE_TRUE -> out.append("true");
			case VALUE_FALSE -> out.append("false");
			case VALUE_NULL -> out.append("null");
			default -> throw new IllegalStateException("Unexpected JSON token " + token);
		}
	}

	private static void quote(String text, StringBuilder out) {
		out.append('"');
		JsonStringEncoder.getInstance().quoteAsString(text, out);
		out.append('"');
	}

	/** A SHA-256 that has taken the request's method and path, as both forms begin. */
	private static MessageDigest digestOf(String method, String path) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
			return digest;
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
