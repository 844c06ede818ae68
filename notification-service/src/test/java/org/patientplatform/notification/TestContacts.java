package org.patientplatform.notification;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Writes contact rows straight into the projection's table, for tests whose context runs
 * without the contact projection's consumer (the patient service's events are not what
 * they test).
 */
public final class TestContacts {

	private final JdbcTemplate jdbc;

	public TestContacts(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** A known patient with a phone and an email, opted in to SMS and email. */
	public String known(@Nullable String language) {
		String patientId = UUID.randomUUID().toString();
		known(patientId, language, true, true);
		return patientId;
	}

	public void known(String patientId, @Nullable String language, boolean sms, boolean email) {
		this.jdbc.update("""
				INSERT INTO contact (patient_id, given_name, phone_e164, email, language, timezone, sms_opt_in,
				    email_opt_in, push_opt_in, details_at, preferences_at, locale_at)
				VALUES (?, 'Ada', '+14155550132', 'ada@example.org', ?, 'America/New_York', ?, ?, false, now(), now(),
				    now())
				""", patientId, language, sms, email);
	}

	/** A contact whose preferences arrived but whose patient record has not. */
	public String preferencesOnly(@Nullable String language) {
		String patientId = UUID.randomUUID().toString();
		this.jdbc.update("""
				INSERT INTO contact (patient_id, language, sms_opt_in, email_opt_in, push_opt_in, preferences_at)
				VALUES (?, ?, true, true, false, now())
				""", patientId, language);
		return patientId;
	}

}
