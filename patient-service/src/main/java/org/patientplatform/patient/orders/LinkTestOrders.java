package org.patientplatform.patient.orders;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Command: link the orders an order message (ORM^O01, OML^O21) places to their patients. An order
 * already linked keeps its progress: a new-order message never takes a resulted order back to
 * {@code ORDERED}, and only an order without a result can be cancelled.
 *
 * @param orders the orders, at least one
 * @param asOf when the LIS sent the message (MSH-7)
 * @param messageControlId the HL7 message control id (MSH-10)
 */
public record LinkTestOrders(List<Order> orders, @Nullable Instant asOf, String messageControlId) {

	public LinkTestOrders {
		orders = List.copyOf(orders);
		if (orders.isEmpty()) {
			throw new IllegalArgumentException("An order message links at least one order");
		}
	}

	/**
	 * One order.
	 *
	 * @param mrn the patient's medical record number (PID-3)
	 * @param orderId the order number (placer, else filler)
	 * @param testCode the code of the test ordered, never its name
	 * @param status {@link TestOrderStatus#ORDERED} or {@link TestOrderStatus#CANCELLED}
	 * @param orderedAt when it was ordered, when the message says so
	 */
	public record Order(String mrn, String orderId, String testCode, TestOrderStatus status,
			@Nullable Instant orderedAt) {
	}

}
