package org.patientplatform.patient.lis;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.patient.records.AssigningAuthority;
import org.patientplatform.patient.records.Patient;
import org.patientplatform.patient.records.PatientId;

/**
 * Which of several MR identifiers of one PID-3 (or MRG-1) is the MRN, so that every message about one person chooses
 * the same: an HIE's or a public-health feed repeats the MRNs of several authorities
 * ({@code A100^^^CITYLAB^MR~778899^^^STATEHIE^MR}), in an order that may change from one message to the next, and
 * taking the first registered the same person twice (ADR 0025, amended). In order of preference: one that names a
 * patient of this service (the same MRN, under the same authority as ADR 0025 compares them, or one of them without
 * one); else the one of the lab's own authority ({@code patient.lis.mrn-authority}, when set); else the first. One
 * that names two patients of this service (not one merged into the other) is refused: which one it means cannot be
 * told. Thread-safe.
 */
final class MrnChooser {

	/** A chooser that knows of no patient and no authority of the lab's own: the first MR identifier is the MRN. */
	static final MrnChooser FIRST = new MrnChooser((mrn, authority) -> Optional.empty(), null);

	private final StoredPatients stored;

	private final @Nullable String ownAuthority;

	/**
	 * @param stored the patients of this service, by MRN and authority
	 * @param ownAuthority the lab's own assigning authority (its namespace id or its universal id), preferred among MR
	 * identifiers that name no patient yet; null or blank when there is none
	 */
	MrnChooser(StoredPatients stored, @Nullable String ownAuthority) {
		this.stored = stored;
		this.ownAuthority = (ownAuthority != null && !ownAuthority.isBlank()) ? ownAuthority.strip() : null;
	}

	/** The patient an MRN names under an authority (null: none named), when it is one of this service's. */
	@FunctionalInterface
	interface StoredPatients {

		Optional<Patient> of(String mrn, @Nullable AssigningAuthority authority);

	}

	/**
	 * One MR identifier.
	 *
	 * @param mrn its id number (CX-1)
	 * @param authority its assigning authority (CX-4), or null
	 */
	record Candidate(String mrn, @Nullable AssigningAuthority authority) {
	}

	/**
	 * A choice among several MR identifiers, which the inbox makes again under the MRNs' locks (a patient registered
	 * meanwhile under another of them changes it).
	 *
	 * @param field where they were, {@code PID-3} or {@code MRG-1}
	 * @param candidates the MR identifiers, in the message's order
	 * @param chosen the index of the one read as the MRN
	 */
	record Choice(String field, List<Candidate> candidates, int chosen) {

		Choice {
			candidates = List.copyOf(candidates);
		}

	}

	/**
	 * The index of the MRN among the candidates (at least one).
	 * @throws InvalidEventException when they name two patients of this service
	 */
	int choose(List<Candidate> candidates, LisMessage.Header header, String field) {
		if (candidates.size() < 2) {
			return 0;
		}
		int firstNamed = -1;
		PatientId person = null;
		int inUse = -1;
		for (int i = 0; i < candidates.size(); i++) {
			Optional<Patient> patient = this.stored.of(candidates.get(i).mrn(), candidates.get(i).authority());
			if (patient.isEmpty()) {
				continue;
			}
			// a patient merged into another is the survivor's record: both MRNs name one person
			PatientId is = (patient.get().mergedInto() != null) ? patient.get().mergedInto() : patient.get().id();
			if (person != null && !person.equals(is)) {
				// the field is named, never an identifier or an authority: values of fields stay out of refusals
				throw new InvalidEventException("HL7 message " + header.type() + " (control id " + header.controlId()
						+ ") names two patients of this service in the MR identifiers of its " + field
						+ ": which one it means cannot be told");
			}
			person = is;
			firstNamed = (firstNamed < 0) ? i : firstNamed;
			if (inUse < 0 && patient.get().mergedInto() == null) {
				inUse = i;
			}
		}
		if (firstNamed >= 0) {
			return (inUse >= 0) ? inUse : firstNamed;
		}
		if (this.ownAuthority != null) {
			for (int i = 0; i < candidates.size(); i++) {
				AssigningAuthority authority = candidates.get(i).authority();
				if (authority != null && AssigningAuthority.same(this.ownAuthority, null, authority)) {
					return i;
				}
			}
		}
		return 0;
	}

}
