package org.patientplatform.notification;

import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Known patients written straight into the contact projection, each with a number and an
 * address of their own, for tests of what is sent (the projection itself is tested
 * elsewhere).
 */
public final class TestPatients {

	private final JdbcTemplate jdbc;

	public TestPatients(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** A patient reachable by SMS only, until the builder says otherwise. */
	public Builder patient() {
		return new Builder();
	}

	public final class Builder {

		private final String patientId = "P-" + UUID.randomUUID();

		private @Nullable String phone = "+1415" + ThreadLocalRandom.current().nextInt(2_000_000, 9_999_999);

		private @Nullable String phoneProblem;

		private boolean sms = true;

		private boolean email;

		private boolean push;

		private final List<String> pushTokens = new ArrayList<>();

		private @Nullable LocalTime quietStart;

		private @Nullable LocalTime quietEnd;

		private String timezone = "America/Chicago";

		private String language = "en";

		public Builder sms(boolean optIn) {
			this.sms = optIn;
			return this;
		}

		/** No phone number on record (the SMS opt-in is left as it is). */
		public Builder noPhone() {
			this.phone = null;
			return this;
		}

		/** A phone number on record that cannot be used, with the reason the projection gave (no phone kept). */
		public Builder unusablePhone(String problem) {
			this.phone = null;
			this.phoneProblem = problem;
			return this;
		}

		public Builder email(boolean optIn) {
			this.email = optIn;
			return this;
		}

		public Builder push(String token) {
			this.push = true;
			this.pushTokens.add(token);
			return this;
		}

		public Builder quietHours(LocalTime start, LocalTime end) {
			this.quietStart = start;
			this.quietEnd = end;
			return this;
		}

		public Builder timezone(String timezone) {
			this.timezone = timezone;
			return this;
		}

		public Builder language(String language) {
			this.language = language;
			return this;
		}

		public Patient store() {
			TestPatients.this.jdbc.update("""
					INSERT INTO contact (patient_id, given_name, phone_e164, phone_problem, email, language, timezone,
					    sms_opt_in, email_opt_in, push_opt_in, quiet_hours_start, quiet_hours_end, push_tokens,
					    details_at, preferences_at, locale_at)
					VALUES (?, 'Ada', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now() - interval '1 minute',
					    now() - interval '1 minute', now() - interval '1 minute')
					""", this.patientId, this.phone, this.phoneProblem, email(), this.language, this.timezone, this.sms, this.email,
					this.push, this.quietStart, this.quietEnd, this.pushTokens.toArray(String[]::new));
			return new Patient(this.patientId, this.phone, email());
		}

		private String email() {
			return this.patientId.toLowerCase() + "@example.org";
		}

	}

	/** A stored patient and their addresses (no phone when the builder said so). */
	public record Patient(String id, @Nullable String phone, String email) {
	}

}
