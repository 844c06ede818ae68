package org.patientplatform.patient.records;

import java.text.Normalizer;

import org.jspecify.annotations.Nullable;

/**
 * A name's text in Unicode's composed form (NFC), as it is stored and searched. A LIS or a keyboard may send an
 * accented letter decomposed (NFD: {@code e} and a combining acute, as macOS writes file names and some interface
 * engines pass on); stored so, Bélanger looked the same and was another text, and {@code family=belanger} or
 * {@code family=bélanger} found nothing, since the database's name key folds the composed letters only. Composed in
 * Java, not by PostgreSQL's {@code normalize()}, which fails on a database whose encoding is not UTF8.
 */
final class NameText {

	private NameText() {
	}

	/** The text in NFC. */
	static String composed(String text) {
		return Normalizer.normalize(text, Normalizer.Form.NFC);
	}

	/** The text in NFC; null for null. */
	static @Nullable String composedOrNull(@Nullable String text) {
		return (text != null) ? composed(text) : null;
	}

}
