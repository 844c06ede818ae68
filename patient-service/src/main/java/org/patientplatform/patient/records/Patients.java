package org.patientplatform.patient.records;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.patientplatform.patient.records.RecordDemographics.Outcome;
import org.patientplatform.patient.records.RecordDemographics.Part;
import org.patientplatform.patient.records.RecordDemographics.Recorded;

import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The stored patients. {@link #record} is one atomic upsert keyed by the MRN, so concurrent messages for
 * one patient never create two rows, and joins the caller's transaction (the LIS consumer marks the
 * message processed in the same one). The change and its event (PatientRegistered or PatientUpdated on
 * the outbox) commit together or not at all.
 */
@Repository
public class Patients {

	private static final String UPSERT = """
			INSERT INTO patient AS p (id, mrn, given_name, family_name, middle_names, name_prefix, name_suffix,
			    birth_date, birth_date_precision, sex, phone, email,
			    address_street, address_other, address_city, address_state, address_postal_code, address_country,
			    language, lis_message_time, lis_message_control_id)
			VALUES (:id, :mrn, :givenName, :familyName, :middleNames, :namePrefix, :nameSuffix,
			    :birthDate, :birthDatePrecision, :sex, :phone, :email,
			    :street, :other, :city, :state, :postalCode, :country, :language, :asOf, :controlId)
			ON CONFLICT (mrn) DO UPDATE SET
			    given_name = CASE WHEN :name THEN EXCLUDED.given_name ELSE p.given_name END,
			    family_name = CASE WHEN :name THEN EXCLUDED.family_name ELSE p.family_name END,
			    middle_names = CASE WHEN :name THEN EXCLUDED.middle_names ELSE p.middle_names END,
			    name_prefix = CASE WHEN :name THEN EXCLUDED.name_prefix ELSE p.name_prefix END,
			    name_suffix = CASE WHEN :name THEN EXCLUDED.name_suffix ELSE p.name_suffix END,
			    birth_date = CASE WHEN :birth THEN EXCLUDED.birth_date ELSE p.birth_date END,
			    birth_date_precision = CASE WHEN :birth THEN EXCLUDED.birth_date_precision ELSE p.birth_date_precision END,
			    sex = CASE WHEN :sexStated THEN EXCLUDED.sex ELSE p.sex END,
			    phone = CASE WHEN :contact THEN EXCLUDED.phone ELSE p.phone END,
			    email = CASE WHEN :contact THEN EXCLUDED.email ELSE p.email END,
			    address_street = CASE WHEN :address THEN EXCLUDED.address_street ELSE p.address_street END,
			    address_other = CASE WHEN :address THEN EXCLUDED.address_other ELSE p.address_other END,
			    address_city = CASE WHEN :address THEN EXCLUDED.address_city ELSE p.address_city END,
			    address_state = CASE WHEN :address THEN EXCLUDED.address_state ELSE p.address_state END,
			    address_postal_code = CASE WHEN :address THEN EXCLUDED.address_postal_code
			        ELSE p.address_postal_code END,
			    address_country = CASE WHEN :address THEN EXCLUDED.address_country ELSE p.address_country END,
			    language = CASE WHEN :languageStated THEN EXCLUDED.language ELSE p.language END,
			    lis_message_time = GREATEST(p.lis_message_time, EXCLUDED.lis_message_time),
			    lis_message_control_id = EXCLUDED.lis_message_control_id,
			    updated_at = now()
			WHERE p.merged_into IS NULL AND (p.lis_message_time IS NULL OR EXCLUDED.lis_message_time IS NULL
			    OR EXCLUDED.lis_message_time >= p.lis_message_time)
			RETURNING p.id, (p.xmax = 0) AS inserted
			""";

	private static final String COLUMNS = """
			id, mrn, given_name, family_name, middle_names, name_prefix, name_suffix, birth_date, birth_date_precision,
			sex, phone, email, address_street, address_other,
			address_city, address_state, address_postal_code, address_country, language, created_at, updated_at,
			merged_into
			""";

	private final JdbcClient jdbc;

	private final PatientEvents events;

	Patients(JdbcClient jdbc, PatientEvents events) {
		this.jdbc = jdbc;
		this.events = events;
	}

	/**
	 * Records the demographics, registering the patient when the MRN is new, and appends the event of
	 * the change to the outbox: {@link PatientRegistered} or {@link PatientUpdated} with the patient as
	 * stored afterwards; a {@code STALE} command changes nothing and publishes nothing. Joins the
	 * caller's transaction when there is one.
	 */
	@Transactional
	public Recorded record(RecordDemographics command) {
		PostalAddress address = (command.address() != null) ? command.address()
				: new PostalAddress(null, null, null, null, null, null);
		Optional<Recorded> written = this.jdbc.sql(UPSERT)
			.param("id", UUID.randomUUID())
			.param("mrn", command.mrn())
			.param("givenName", command.givenName())
			.param("middleNames", (command.otherNames() != null) ? command.otherNames().middleNames() : null,
					Types.VARCHAR)
			.param("namePrefix", (command.otherNames() != null) ? command.otherNames().prefix() : null, Types.VARCHAR)
			.param("nameSuffix", (command.otherNames() != null) ? command.otherNames().suffix() : null, Types.VARCHAR)
			.param("familyName", command.familyName())
			.param("birthDate",
					new SqlParameterValue(Types.DATE, (command.birthDate() != null) ? command.birthDate().first() : null))
			.param("birthDatePrecision", (command.birthDate() != null) ? command.birthDate().storedPrecision() : null,
					Types.VARCHAR)
			.param("sex", (command.sex() != null) ? command.sex().code() : null, Types.VARCHAR)
			.param("phone", command.phone(), Types.VARCHAR)
			.param("email", command.email(), Types.VARCHAR)
			.param("street", address.street(), Types.VARCHAR)
			.param("other", address.otherDesignation(), Types.VARCHAR)
			.param("city", address.city(), Types.VARCHAR)
			.param("state", address.state(), Types.VARCHAR)
			.param("postalCode", address.postalCode(), Types.VARCHAR)
			.param("country", address.country(), Types.VARCHAR)
			.param("language", command.language(), Types.VARCHAR)
			.param("asOf", timestamp(command.asOf()))
			.param("controlId", command.messageControlId())
			.param("name", command.states(Part.NAME))
			.param("birth", command.states(Part.BIRTH_DATE))
			.param("sexStated", command.states(Part.SEX))
			.param("contact", command.states(Part.CONTACT))
			.param("address", command.states(Part.ADDRESS))
			.param("languageStated", command.states(Part.LANGUAGE))
			.query((rs, row) -> new Recorded(new PatientId(rs.getObject("id", UUID.class)),
					rs.getBoolean("inserted") ? Outcome.REGISTERED : Outcome.UPDATED))
			.optional();
		if (written.isEmpty()) {
			Patient stored = findByMrn(command.mrn()).orElseThrow();
			if (stored.mergedInto() != null) {
				throw new PatientMergedException(stored);
			}
			return new Recorded(stored.id(), Outcome.STALE);
		}
		Recorded recorded = written.get();
		this.events.recorded(recorded, findById(recorded.patientId()).orElseThrow());
		return recorded;
	}

	/**
	 * Merges the patient of {@code priorMrn} into {@code survivor} (ADT^A40): the prior record is kept, marked
	 * merged, and so are those merged into it before (they now point to the survivor); a {@link PatientMerged} is
	 * appended to the outbox. The caller moves what else belongs to the prior patient (its test orders) in the same
	 * transaction. Joins the caller's transaction.
	 * <p>A prior MRN no patient has here is recorded as merged, with nothing else (no demographics, no event: there
	 * was no patient to tell of), so that the messages naming it, parked or to come, are the survivor's.
	 * @param controlId the merge message's control id (MSH-10), stored with a record made for an unknown MRN
	 * @return the prior patient merged now; empty when there is nothing to merge: the MRN is unknown (then only
	 *     recorded as merged), it is the survivor's own, or it was merged into the survivor before
	 * @throws PatientMergedException when the prior patient was merged into another patient than the survivor
	 */
	@Transactional
	public Optional<PatientId> merge(String priorMrn, PatientId survivor, String controlId) {
		Optional<Patient> prior = this.jdbc.sql("SELECT " + COLUMNS + " FROM patient WHERE mrn = ? FOR UPDATE")
			.param(priorMrn)
			.query(Patients::patient)
			.optional();
		if (prior.isEmpty()) {
			this.jdbc.sql("""
					INSERT INTO patient (id, mrn, lis_message_control_id, merged_into, merged_at)
					VALUES (?, ?, ?, ?, now())
					""").params(UUID.randomUUID(), priorMrn, controlId, survivor.value()).update();
			return Optional.empty();
		}
		if (prior.get().id().equals(survivor) || survivor.equals(prior.get().mergedInto())) {
			return Optional.empty();
		}
		if (prior.get().mergedInto() != null) {
			throw new PatientMergedException(prior.get());
		}
		PatientId merged = prior.get().id();
		this.jdbc.sql("UPDATE patient SET merged_into = ?, updated_at = now() WHERE merged_into = ?")
			.params(survivor.value(), merged.value())
			.update();
		Instant mergedAt = this.jdbc
			.sql("UPDATE patient SET merged_into = ?, merged_at = now(), updated_at = now() WHERE id = ? "
					+ "RETURNING merged_at")
			.params(survivor.value(), merged.value())
			.query((rs, row) -> rs.getTimestamp(1).toInstant())
			.single();
		this.events.merged(survivor, merged, prior.get().mrn(), mergedAt);
		return Optional.of(merged);
	}

	/**
	 * The MRNs among these whose patient was registered under another assigning authority, with that authority as a
	 * refusal names it ({@link AssigningAuthority#told()}): a message naming them means another authority's patient.
	 * The same authority may be named by its namespace id, its universal id or both
	 * ({@link AssigningAuthority#same(String, String, AssigningAuthority)}).
	 * @param authorities the assigning authority of each MRN that has one, by MRN
	 */
	public Map<String, String> authorityConflicts(Map<String, AssigningAuthority> authorities) {
		if (authorities.isEmpty()) {
			return Map.of();
		}
		Map<String, String> conflicts = new LinkedHashMap<>();
		this.jdbc.sql("SELECT mrn, mrn_authority, mrn_authority_universal_id FROM patient WHERE mrn = ANY(?) "
				+ "AND mrn_authority IS NOT NULL")
			.param(new SqlParameterValue(Types.ARRAY, authorities.keySet().toArray(String[]::new)))
			.query((ResultSet rs) -> {
				String mrn = rs.getString(1);
				String name = rs.getString(2);
				String universalId = rs.getString(3);
				if (!AssigningAuthority.same(name, universalId, authorities.get(mrn))) {
					conflicts.put(mrn, AssigningAuthority.told(name, universalId));
				}
			});
		return conflicts;
	}

	/**
	 * Records each MRN's assigning authority on its patient that has none yet (registered now, or before V10), and
	 * its universal id on one that has none yet (named by its namespace id alone so far, or recorded before V16): the
	 * message was checked to name the same authority.
	 */
	public void adoptAuthorities(Map<String, AssigningAuthority> authorities) {
		if (authorities.isEmpty()) {
			return;
		}
		List<AssigningAuthority> given = List.copyOf(authorities.values());
		this.jdbc.sql("""
				UPDATE patient SET mrn_authority = coalesce(patient.mrn_authority, given.authority),
					mrn_authority_universal_id = coalesce(patient.mrn_authority_universal_id, given.universal_id)
				FROM unnest(?::text[], ?::text[], ?::text[]) AS given(mrn, authority, universal_id)
				WHERE patient.mrn = given.mrn
					AND (patient.mrn_authority IS NULL
						OR (patient.mrn_authority_universal_id IS NULL AND given.universal_id IS NOT NULL))
				""")
			.params(new SqlParameterValue(Types.ARRAY, authorities.keySet().toArray(String[]::new)),
					new SqlParameterValue(Types.ARRAY,
							given.stream().map(AssigningAuthority::name).toArray(String[]::new)),
					new SqlParameterValue(Types.ARRAY,
							given.stream().map(AssigningAuthority::universalId).toArray(String[]::new)))
			.update();
	}

	public Optional<Patient> findById(PatientId id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM patient WHERE id = ?")
			.param(id.value())
			.query(Patients::patient)
			.optional();
	}

	/**
	 * The patient of this MRN when the authority names it as ADR 0025 compares them: the patient's own authority, or
	 * either of the two unknown (a message that names none is applied to the MRN's patient, and a patient without one
	 * takes the message's); empty when there is no such patient, or when it is another authority's.
	 * @param authority the MRN's assigning authority in the message (CX-4), or null
	 */
	public Optional<Patient> findByMrnOf(String mrn, @Nullable AssigningAuthority authority) {
		return this.jdbc
			.sql("SELECT " + COLUMNS + ", mrn_authority, mrn_authority_universal_id FROM patient WHERE mrn = ?")
			.param(mrn)
			.query((rs, row) -> {
				String name = rs.getString("mrn_authority");
				boolean same = name == null || authority == null
						|| AssigningAuthority.same(name, rs.getString("mrn_authority_universal_id"), authority);
				return Optional.ofNullable(same ? patient(rs, row) : null);
			})
			.list()
			.stream()
			.flatMap(Optional::stream)
			.findFirst();
	}

	public Optional<Patient> findByMrn(String mrn) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM patient WHERE mrn = ?")
			.param(mrn)
			.query(Patients::patient)
			.optional();
	}

	/**
	 * A page of the patients a search finds, by family name, given name and id (their search keys: case and
	 * accents aside), after the patient the previous page ended with.
	 * @param limit how many to fetch: a page's size plus one, to know whether another page follows
	 */
	public List<Found> search(PatientSearch search, @Nullable SearchCursor after, int limit) {
		Map<String, Object> params = new HashMap<>(search.params());
		String keyset = "";
		if (after != null) {
			// the keys of the patient the page ended with, read again: the cursor names the patient alone, never
			// their name (it travels in URLs, which proxies and access logs keep)
			keyset = " AND (" + PatientSearch.FAMILY_KEY + ", " + PatientSearch.GIVEN_KEY + ", id) > (SELECT "
					+ PatientSearch.FAMILY_KEY + ", " + PatientSearch.GIVEN_KEY + ", id FROM patient WHERE id = :afterId)";
			params.put("afterId", after.id());
		}
		params.put("limit", limit);
		return this.jdbc
			.sql("SELECT " + COLUMNS + " FROM patient WHERE " + search.where() + keyset + " ORDER BY "
					+ PatientSearch.FAMILY_KEY + ", " + PatientSearch.GIVEN_KEY + ", id LIMIT :limit")
			.params(params)
			.query((rs, row) -> new Found(patient(rs, row), new SearchCursor(rs.getObject("id", UUID.class))))
			.list();
	}

	/**
	 * A patient a search found, and where a page that ends with them ends.
	 *
	 * @param patient the patient
	 * @param cursor the search's keyset at this patient
	 */
	public record Found(Patient patient, SearchCursor cursor) {
	}

	/**
	 * Where a page of a search ends: the last patient's id. Their search keys are read again from their record, so
	 * the cursor carries no name (the FHIR search writes it, bound to its criteria: {@code FhirPatientSearch}).
	 *
	 * @param id the patient's id
	 */
	public record SearchCursor(UUID id) {
	}

	private static Patient patient(ResultSet rs, int row) throws SQLException {
		PostalAddress address = new PostalAddress(rs.getString("address_street"), rs.getString("address_other"),
				rs.getString("address_city"), rs.getString("address_state"), rs.getString("address_postal_code"),
				rs.getString("address_country"));
		String sex = rs.getString("sex");
		return new Patient(new PatientId(rs.getObject("id", UUID.class)), rs.getString("mrn"),
				rs.getString("given_name"), rs.getString("family_name"), BirthDate.stored(rs.getObject("birth_date", LocalDate.class),
						rs.getString("birth_date_precision")),
				(sex != null) ? Sex.ofCode(sex) : null, rs.getString("phone"), rs.getString("email"),
				address.carriesNothing() ? null : address, rs.getString("language"),
				instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("updated_at")),
				(rs.getObject("merged_into") != null) ? new PatientId(rs.getObject("merged_into", UUID.class)) : null,
				NameParts.of(rs.getString("middle_names"), rs.getString("name_prefix"), rs.getString("name_suffix")));
	}

	private static Instant instant(Timestamp timestamp) {
		return timestamp.toInstant();
	}

	private static SqlParameterValue timestamp(@Nullable Instant instant) {
		return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE,
				(instant != null) ? instant.atOffset(ZoneOffset.UTC) : null);
	}

}
