package org.patientplatform.patient.records;

import org.jspecify.annotations.Nullable;

/**
 * Who assigned an MRN: PID-3's or MRG-1's CX-4, an HL7 HD, named by its namespace id, its universal id (an OID, say),
 * or both. One authority is often named both ways by one feed: the lab's ADT sends {@code CITYLAB&1.2.3.4&ISO}, its
 * results {@code &1.2.3.4&ISO} or {@code CITYLAB} alone (ADR 0025).
 *
 * @param namespaceId HD-1, or null
 * @param universalId HD-2, or null
 */
public record AssigningAuthority(@Nullable String namespaceId, @Nullable String universalId) {

	public AssigningAuthority {
		if (namespaceId == null && universalId == null) {
			throw new IllegalArgumentException("An assigning authority has a namespace id or a universal id");
		}
	}

	/** The name it is stored and told by: its namespace id, else its universal id. */
	public String name() {
		return (this.namespaceId != null) ? this.namespaceId : this.universalId();
	}

	/**
	 * How a refusal names it: its name, and its universal id after an {@code &} as HL7 writes an HD
	 * ({@code CITYLAB&1.2.3.4}) when it has both, which tells apart two authorities of one namespace id.
	 */
	public String told() {
		return told(name(), this.universalId);
	}

	/** How a refusal names an authority known by its name and universal id (null when not known). */
	public static String told(String name, @Nullable String universalId) {
		return (universalId != null && !universalId.equalsIgnoreCase(name)) ? name + "&" + universalId : name;
	}

	/** Whether the other names this authority ({@link #same(String, String, AssigningAuthority)}). */
	public boolean sameAs(AssigningAuthority other) {
		return same(name(), this.universalId, other);
	}

	/**
	 * Whether an authority known by its name (its namespace id, else its universal id) and its universal id (null when
	 * not known) is the one the other names, without case: by their universal ids when both have one (a namespace id
	 * is only local), else when either of the other's ids is the name. An authority known by its universal id alone and
	 * one named by its namespace id alone cannot be told to be the same, and are not.
	 */
	public static boolean same(String name, @Nullable String universalId, AssigningAuthority other) {
		if (universalId != null && other.universalId() != null) {
			return universalId.equalsIgnoreCase(other.universalId());
		}
		return name.equalsIgnoreCase(other.namespaceId()) || name.equalsIgnoreCase(other.universalId());
	}

}
