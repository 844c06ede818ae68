package org.patientplatform.notification.delivery;

/** A delivery was asked to make a move its state machine does not allow. */
public class IllegalDeliveryTransitionException extends IllegalStateException {

	private final DeliveryState from;

	private final DeliveryState to;

	IllegalDeliveryTransitionException(DeliveryId id, DeliveryState from, DeliveryState to) {
		super("Delivery " + id + " cannot move from " + from + " to " + to);
		this.from = from;
		this.to = to;
	}

	public DeliveryState from() {
		return this.from;
	}

	public DeliveryState to() {
		return this.to;
	}

}
