package org.patientplatform.patient.orders;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.web.Page;

/**
 * A test of a lab order as the API shows it: its state and times, never a result value (this service holds
 * none). An order number may name several tests (a panel's, an accession's), each its own item.
 *
 * @param orderId the order number (placer, else filler)
 * @param testCode the test's code (OBR-4)
 * @param status where the test stands
 * @param orderedAt when it was ordered (ORC-9, else OBR-6, else the order message's MSH-7), when the LIS said
 * @param performedAt when the specimen was taken or the test performed (OBR-7), when known
 * @param releasedAt when its result was released to the patient (OBR-22, else the message's time), once
 *     {@code RESULTED}
 * @param createdAt when this service first learnt of the test; the list's order
 * @param updatedAt when its state last changed here
 */
public record TestOrder(String orderId, String testCode, TestOrderStatus status, @Nullable Instant orderedAt,
		@Nullable Instant performedAt, @Nullable Instant releasedAt, Instant createdAt, Instant updatedAt) {

	/** Where a page of a patient's tests ends, in the list's order. */
	Cursor cursor() {
		return new Cursor(this.createdAt, this.orderId, this.testCode);
	}

	/**
	 * The last item of a page: its time, order number and test code.
	 *
	 * @param createdAt the item's {@link TestOrder#createdAt()}
	 * @param orderId its order number
	 * @param testCode its test's code
	 */
	public record Cursor(Instant createdAt, String orderId, String testCode) {

		/** The sort key {@link Page#of} encodes. */
		List<String> sortKey() {
			return List.of(this.createdAt.toString(), this.orderId, this.testCode);
		}

		/**
		 * The cursor a request passed, or null for the first page (no cursor, or a blank one).
		 * @throws Page.InvalidCursorException (answered 400) when the text is not a cursor of this list
		 */
		static @Nullable Cursor decodeOrFirst(@Nullable String text) {
			if (text == null || text.isBlank()) {
				return null;
			}
			List<String> parts = Page.decode(text, 3);
			try {
				return new Cursor(Instant.parse(parts.get(0)), parts.get(1), parts.get(2));
			}
			catch (DateTimeException ex) {
				throw new Page.InvalidCursorException();
			}
		}

	}

}
