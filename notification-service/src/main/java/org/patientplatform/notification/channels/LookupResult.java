package org.patientplatform.notification.channels;

/** What a provider knows of a send whose outcome was unknown. */
public sealed interface LookupResult {

	/** The provider has the message: it was sent, do not send it again. */
	record Found(String providerMessageId) implements LookupResult {
	}

	/** The provider has no such message: it is safe to send it. */
	record NotFound() implements LookupResult {
	}

	/**
	 * The provider cannot say (no lookup API, or the lookup failed): the send is neither
	 * repeated nor assumed; {@code reason} explains.
	 */
	record Unavailable(String reason) implements LookupResult {
	}

}
