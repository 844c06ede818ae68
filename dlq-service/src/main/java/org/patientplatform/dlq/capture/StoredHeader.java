package org.patientplatform.dlq.capture;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * One of the original record's own headers as an entry stores them ({@link CapturedRecord#headersJson}
 * writes the JSON array of {@code key} and base64 {@code value}; a name holding a NUL, which jsonb cannot hold,
 * also as {@code keyBase64}, its UTF-8 bytes, {@code key} then having U+FFFD in the NUL's place).
 *
 * @param key the header's name, exactly as the record carried it
 * @param base64 its value's bytes, base64, as stored
 */
record StoredHeader(@Nullable String key, @Nullable String base64) {

	/** The member holding a header name's UTF-8 bytes, base64, when the name holds a NUL. */
	static final String KEY_BASE64 = "keyBase64";

	private static final TypeReference<List<Map<String, String>>> STORED = new TypeReference<>() {
	};

	/** The headers of an entry's {@code headers} column, in order; none when it is empty. */
	static List<StoredHeader> read(@Nullable String stored) {
		if (stored == null || stored.isBlank()) {
			return List.of();
		}
		return JsonMapper.shared()
			.readValue(stored, STORED)
			.stream()
			.map((header) -> new StoredHeader(key(header), header.get("value")))
			.toList();
	}

	/** The name as the record carried it: from its bytes where the name held a NUL, else as stored. */
	private static @Nullable String key(Map<String, String> header) {
		String bytes = header.get(KEY_BASE64);
		if (bytes == null) {
			return header.get("key");
		}
		return new String(Base64.getDecoder().decode(bytes), StandardCharsets.UTF_8);
	}

	/**
	 * The value's bytes.
	 * @throws IllegalArgumentException when the stored value is not base64 (written by hand)
	 */
	byte @Nullable [] bytes() {
		return (this.base64 != null) ? Base64.getDecoder().decode(this.base64) : null;
	}

}
