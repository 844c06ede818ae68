package org.patientplatform.notification.delivery;

import java.util.Collection;

/**
 * Told, in the storing transaction, of the notifications stored new or given their
 * deliveries when the patient's contact arrived, so that a delivery that ended as it was
 * made ({@link DeliveryState#UNDELIVERABLE}: the patient has no usable address on a channel
 * they chose) is counted like one that a sender ends so.
 */
public interface CreatedDeliveries {

	/** The notifications whose deliveries were all made now. */
	void created(Collection<Notification> notifications);

}
