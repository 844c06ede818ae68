package org.patientplatform.notification.delivery;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a delivery stands. The allowed moves:
 *
 * <pre>
 * PENDING   -> SCHEDULED (wait for a time), SENDING, UNDELIVERABLE, SUPPRESSED, CANCELLED
 * SCHEDULED -> SENDING, UNDELIVERABLE, SUPPRESSED, CANCELLED
 * SENDING   -> SENT, DELIVERED, READ (receipts can overtake the provider's answer), FAILED,
 *              SCHEDULED (retry later, e.g. 429 or an outcome reconciled as never received), UNDELIVERABLE
 * SENT      -> DELIVERED, READ, FAILED, UNDELIVERABLE
 * DELIVERED -> READ
 * FAILED    -> SCHEDULED (retry), UNDELIVERABLE (gave up), CANCELLED
 * READ, UNDELIVERABLE, SUPPRESSED, CANCELLED: final
 * </pre>
 */
public enum DeliveryState {

	/** Created, waiting for a sender. */
	PENDING,
	/** Waiting for a time: not-before, quiet hours, or the next retry. */
	SCHEDULED,
	/**
	 * Recorded before the provider call; an outcome that stays unknown is reconciled,
	 * never blindly resent.
	 */
	SENDING,
	/** The provider accepted it. */
	SENT,
	/** The provider reports it reached the device or mailbox. */
	DELIVERED,
	/** The patient opened it. */
	READ,
	/** The last attempt failed; a retry may follow. */
	FAILED,
	/**
	 * No way to reach the patient on this channel: no address or an unusable one (from the
	 * start, when the notice is made), unknown contact, an address the provider refused or
	 * reported undelivered, an unregistered token, no template, or expired unsent.
	 */
	UNDELIVERABLE,
	/** Not sent by policy (opt-out, frequency cap). */
	SUPPRESSED,
	/** Cancelled on request. */
	CANCELLED;

	private static final Map<DeliveryState, Set<DeliveryState>> NEXT = new EnumMap<>(DeliveryState.class);

	static {
		NEXT.put(PENDING, EnumSet.of(SCHEDULED, SENDING, UNDELIVERABLE, SUPPRESSED, CANCELLED));
		NEXT.put(SCHEDULED, EnumSet.of(SENDING, UNDELIVERABLE, SUPPRESSED, CANCELLED));
		NEXT.put(SENDING, EnumSet.of(SENT, DELIVERED, READ, FAILED, SCHEDULED, UNDELIVERABLE));
		NEXT.put(SENT, EnumSet.of(DELIVERED, READ, FAILED, UNDELIVERABLE));
		NEXT.put(DELIVERED, EnumSet.of(READ));
		NEXT.put(READ, EnumSet.noneOf(DeliveryState.class));
		NEXT.put(FAILED, EnumSet.of(SCHEDULED, UNDELIVERABLE, CANCELLED));
		NEXT.put(UNDELIVERABLE, EnumSet.noneOf(DeliveryState.class));
		NEXT.put(SUPPRESSED, EnumSet.noneOf(DeliveryState.class));
		NEXT.put(CANCELLED, EnumSet.noneOf(DeliveryState.class));
	}

	/** True when a delivery in this state may move to {@code next}. */
	public boolean canMoveTo(DeliveryState next) {
		return NEXT.get(this).contains(next);
	}

	/** True when nothing can happen to the delivery any more. */
	public boolean isFinal() {
		return NEXT.get(this).isEmpty();
	}

}
