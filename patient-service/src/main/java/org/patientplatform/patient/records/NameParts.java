package org.patientplatform.patient.records;

import org.jspecify.annotations.Nullable;

/**
 * The parts of a patient's name beside the given and family names, as the LIS sends them (HL7 XPN): they were
 * dropped, so a "José María" was served as José alone and a "Dr." lost.
 *
 * @param middleNames the second and further given names or their initials (XPN-3), as one text
 * @param prefix such as Dr. (XPN-5)
 * @param suffix such as Jr. or III (XPN-4)
 */
public record NameParts(@Nullable String middleNames, @Nullable String prefix, @Nullable String suffix) {

	/** Composed, as the given and family names are ({@link NameText}). */
	public NameParts {
		middleNames = NameText.composedOrNull(middleNames);
		prefix = NameText.composedOrNull(prefix);
		suffix = NameText.composedOrNull(suffix);
	}

	/** These parts, or null when there are none. */
	public static @Nullable NameParts of(@Nullable String middleNames, @Nullable String prefix,
			@Nullable String suffix) {
		return (middleNames == null && prefix == null && suffix == null) ? null
				: new NameParts(middleNames, prefix, suffix);
	}

}
