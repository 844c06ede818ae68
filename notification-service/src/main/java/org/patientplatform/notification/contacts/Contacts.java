package org.patientplatform.notification.contacts;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.consumption.KeyLocks;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The stored contacts.
 */
@Repository
class Contacts implements ContactDirectory, ContactChanges {

	private static final String COLUMNS = """
			SELECT patient_id, given_name, phone_e164, phone_problem, email, email_problem, language, timezone,
			       sms_opt_in, email_opt_in, push_opt_in, quiet_hours_start, quiet_hours_end, push_tokens,
			       details_at, preferences_at, locale_at,
			       coalesce(push_tokens_at, preferences_at) AS push_tokens_at
			FROM contact
			""";

	private final JdbcClient jdbc;

	Contacts(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	@Transactional(readOnly = true)
	public Optional<Contact> find(String patientId) {
		return this.jdbc.sql(COLUMNS + " WHERE patient_id = ?").param(patientId).query(Contacts::contact).optional();
	}

	@Override
	@Transactional(readOnly = true)
	public Map<String, Contact> findAll(Collection<String> patientIds) {
		if (patientIds.isEmpty()) {
			return Map.of();
		}
		return this.jdbc.sql(COLUMNS + " WHERE patient_id = ANY(?)")
			.param(patientIds.stream().distinct().toArray(String[]::new))
			.query(Contacts::contact)
			.stream()
			.collect(Collectors.toMap(Contact::patientId, Function.identity()));
	}

	@Override
	@Transactional(propagation = Propagation.MANDATORY)
	public Map<String, Contact> findAllForNotices(Collection<String> patientIds) {
		Map<String, String> addressees = addressees(patientIds);
		Map<String, Contact> found = new HashMap<>(findAll(addressees.values()));
		List<String> unknown = unknown(addressees, found, Set.of());
		if (!unknown.isEmpty()) {
			lockDetails(unknown);
			// a merge committed before the lock was had moved the notices waiting for the merged patient to the
			// survivor: one parked for the merged patient now would wait for details that never come
			addressees = addressees(patientIds);
			lockDetails(unknown(addressees, found, Set.copyOf(unknown)));
			found.putAll(findAll(addressees.values()));
		}
		Map<String, Contact> byAsked = new HashMap<>();
		addressees.forEach((asked, addressee) -> {
			Contact contact = found.get(addressee);
			if (contact != null) {
				byAsked.put(asked, contact);
			}
		});
		return byAsked;
	}

	/** The patients the notices go to whose details are not known, but those locked already. */
	private static List<String> unknown(Map<String, String> addressees, Map<String, Contact> found,
			Set<String> locked) {
		return addressees.values()
			.stream()
			.distinct()
			.filter((id) -> !locked.contains(id) && (!found.containsKey(id) || !found.get(id).isKnown()))
			.toList();
	}

	/**
	 * {@inheritDoc} Follows {@code merged_into} up to a depth no real chain reaches: each merge points those merged
	 * into its merged patient on, and the patient service refuses a merge into a merged patient, so one step is the
	 * rule (two come from merges applied out of order).
	 */
	@Override
	@Transactional(readOnly = true)
	public Map<String, String> addressees(Collection<String> patientIds) {
		Map<String, String> addressees = new HashMap<>();
		patientIds.forEach((id) -> addressees.put(id, id));
		if (patientIds.isEmpty()) {
			return addressees;
		}
		this.jdbc.sql("""
				WITH RECURSIVE chain (asked, patient_id, merged_into, depth) AS (
				    SELECT patient_id, patient_id, merged_into, 0 FROM contact
				    WHERE patient_id = ANY(?) AND merged_into IS NOT NULL
				    UNION ALL
				    SELECT chain.asked, c.patient_id, c.merged_into, chain.depth + 1
				    FROM chain JOIN contact c ON c.patient_id = chain.merged_into
				    WHERE chain.depth < 8
				)
				SELECT DISTINCT ON (asked) asked, patient_id FROM chain WHERE depth > 0 ORDER BY asked, depth DESC
				""")
			.param(patientIds.stream().distinct().toArray(String[]::new))
			.query((rs, row) -> Map.entry(rs.getString("asked"), rs.getString("patient_id")))
			.list()
			.forEach((merged) -> addressees.put(merged.getKey(), merged.getValue()));
		return addressees;
	}

	/**
	 * Takes the patients' details locks: held by whoever records a patient's details and releases the
	 * notices waiting for them, and by whoever parks a notice because they are not known.
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	void lockDetails(Collection<String> patientIds) {
		KeyLocks.lock(this.jdbc, "contact-details", patientIds);
	}

	@Override
	@Transactional(propagation = Propagation.MANDATORY)
	public List<Contact> changeSmsOptIn(String phoneE164, boolean optIn, Instant at) {
		List<String> patientIds = this.jdbc.sql("""
				UPDATE contact SET sms_opt_in = ?, preferences_at = greatest(preferences_at, ?), updated_at = now()
				WHERE phone_e164 = ?
				RETURNING patient_id
				""").params(optIn, timestamp(at), phoneE164).query(String.class).list();
		if (patientIds.isEmpty()) {
			return List.of();
		}
		return this.jdbc.sql(COLUMNS + " WHERE patient_id = ANY(?) ORDER BY patient_id")
			.param(patientIds.toArray(String[]::new))
			.query(Contacts::contact)
			.list();
	}

	@Override
	@Transactional(propagation = Propagation.MANDATORY)
	public int removePushToken(String patientId, String token) {
		// the contact's tokens after the removal: the updated row's when it had the token, else the stored row's
		Integer left = this.jdbc.sql("""
				WITH removed AS (
				    UPDATE contact SET push_tokens = array_remove(push_tokens, ?), updated_at = now()
				    WHERE patient_id = ? AND ? = ANY(push_tokens)
				    RETURNING push_tokens)
				SELECT coalesce((SELECT cardinality(push_tokens) FROM removed),
				                (SELECT cardinality(push_tokens) FROM contact WHERE patient_id = ?), 0)
				""").params(token, patientId, token, patientId).query(Integer.class).single();
		return (left != null) ? left : 0;
	}

	/**
	 * Takes a device token away from every contact but {@code patientId}'s: a device
	 * registered by one patient no longer receives another's messages (a shared tablet, a
	 * phone handed on). Their device list takes the time {@code at}, so an older event does
	 * not give the token back (their channels keep theirs: an opt-out made before still applies).
	 * @return the patients who had the token
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	List<String> takePushTokenFromOthers(String token, String patientId, Instant at) {
		// two patients registering one device at once take it in turn: the later keeps it
		KeyLocks.lock(this.jdbc, "push-token", List.of(token));
		// the patient's contact and those with the device, in id order: two patients taking each other's device at
		// once would otherwise each hold the other's contact and wait for their own (a deadlock, one of them a 500)
		this.jdbc.sql("""
				SELECT patient_id FROM contact
				WHERE patient_id = ? OR (contact_push_token_keys(push_tokens) @> ARRAY[md5(?)] AND ? = ANY(push_tokens))
				ORDER BY patient_id FOR UPDATE
				""").params(patientId, token, token).query(String.class).list();
		return this.jdbc.sql("""
				UPDATE contact SET push_tokens = array_remove(push_tokens, ?),
				    push_tokens_at = greatest(coalesce(push_tokens_at, preferences_at), ?), updated_at = now()
				WHERE contact_push_token_keys(push_tokens) @> ARRAY[md5(?)] AND ? = ANY(push_tokens) AND patient_id <> ?
				RETURNING patient_id
				""").params(token, timestamp(at), token, token, patientId).query(String.class).list();
	}

	/**
	 * The contact, locked until the transaction ends; created with the defaults when
	 * missing.
	 */
	@Transactional
	Contact lockOrCreate(String patientId, ChannelPreferences defaults) {
		createIfMissing(patientId, defaults);
		return lock(patientId).orElseThrow();
	}

	/** Creates the contact with the defaults when missing (locking only a contact it creates). */
	@Transactional(propagation = Propagation.MANDATORY)
	void createIfMissing(String patientId, ChannelPreferences defaults) {
		this.jdbc.sql("""
				INSERT INTO contact (patient_id, sms_opt_in, email_opt_in, push_opt_in)
				VALUES (?, ?, ?, ?)
				ON CONFLICT (patient_id) DO NOTHING
				""").params(patientId, defaults.sms(), defaults.email(), defaults.push()).update();
	}

	/**
	 * Records that {@code mergedId}'s record was merged into {@code survivorId}'s, and points to the survivor those
	 * merged into {@code mergedId} before (one step always leads to the record in use, as in the patient service).
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	void markMerged(String mergedId, String survivorId) {
		this.jdbc.sql("UPDATE contact SET merged_into = ?, updated_at = now() WHERE patient_id = ? OR merged_into = ?")
			.params(survivorId, mergedId, mergedId)
			.update();
	}

	/**
	 * The contacts there are of these patients, locked until the transaction ends, in id order (as every
	 * writer of several contacts locks them, so two never deadlock).
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	Map<String, Contact> lockAll(Collection<String> patientIds) {
		return this.jdbc.sql(COLUMNS + " WHERE patient_id = ANY(?) ORDER BY patient_id FOR UPDATE")
			.param(patientIds.stream().distinct().toArray(String[]::new))
			.query(Contacts::contact)
			.stream()
			.collect(Collectors.toMap(Contact::patientId, Function.identity()));
	}

	/** The contact, locked until the transaction ends. */
	@Transactional
	Optional<Contact> lock(String patientId) {
		return this.jdbc.sql(COLUMNS + " WHERE patient_id = ? FOR UPDATE")
			.param(patientId)
			.query(Contacts::contact)
			.optional();
	}

	@Transactional
	void save(Contact c) {
		QuietHours quiet = c.quietHours();
		this.jdbc.sql("""
				UPDATE contact SET given_name = ?, phone_e164 = ?, phone_problem = ?, email = ?, email_problem = ?,
				    language = ?, timezone = ?, sms_opt_in = ?, email_opt_in = ?, push_opt_in = ?,
				    quiet_hours_start = ?, quiet_hours_end = ?, push_tokens = ?, details_at = ?, preferences_at = ?,
				    locale_at = ?, push_tokens_at = ?, updated_at = now()
				WHERE patient_id = ?
				""")
			.params(c.givenName(), c.phone(), c.phoneProblem(), c.email(), c.emailProblem(), c.language(), c.timezone(),
					c.channels().sms(), c.channels().email(), c.channels().push(),
					(quiet != null) ? quiet.start() : null, (quiet != null) ? quiet.end() : null,
					c.pushTokens().toArray(String[]::new), timestamp(c.detailsAt()), timestamp(c.preferencesAt()),
					timestamp(c.localeAt()), timestamp(c.pushTokensAt()), c.patientId())
			.update();
	}

	private static Contact contact(ResultSet rs, int row) throws SQLException {
		LocalTime quietStart = rs.getObject("quiet_hours_start", LocalTime.class);
		LocalTime quietEnd = rs.getObject("quiet_hours_end", LocalTime.class);
		Array tokens = rs.getArray("push_tokens");
		return new Contact(rs.getString("patient_id"), rs.getString("given_name"), rs.getString("phone_e164"),
				rs.getString("phone_problem"), rs.getString("email"), rs.getString("email_problem"),
				rs.getString("language"), rs.getString("timezone"),
				new ChannelPreferences(rs.getBoolean("sms_opt_in"), rs.getBoolean("email_opt_in"),
						rs.getBoolean("push_opt_in")),
				(quietStart != null && quietEnd != null) ? new QuietHours(quietStart, quietEnd) : null,
				(tokens != null) ? Arrays.asList((String[]) tokens.getArray()) : List.of(), instant(rs, "details_at"),
				instant(rs, "preferences_at"), instant(rs, "locale_at"), instant(rs, "push_tokens_at"));
	}

	private static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
		return (instant != null) ? instant.atOffset(ZoneOffset.UTC) : null;
	}

	private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

}
