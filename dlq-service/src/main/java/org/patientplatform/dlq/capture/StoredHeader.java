package org.patientplatform.dlq.capture;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * One of the original record's own headers as an entry stores them ({@link CapturedRecord#headersJson}
 * writes the JSON array of {@code key} and base64 {@code value}).
 *
 * @param key the header's name
 * @param base64 its value's bytes, base64, as stored
 */
record StoredHeader(@Nullable String key, @Nullable String base64) {

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
			.map((header) -> new StoredHeader(header.get("key"), header.get("value")))
			.toList();
	}

	/**
	 * The value's bytes.
	 * @throws IllegalArgumentException when the stored value is not base64 (written by hand)
	 */
	byte @Nullable [] bytes() {
		return (this.base64 != null) ? Base64.getDecoder().decode(this.base64) : null;
	}

}
