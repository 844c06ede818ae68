package org.patientplatform.notification.delivery;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class DeliveryAttemptTests {

	static final Instant T0 = Instant.parse("2026-03-07T15:00:00Z");

	static final MessageContent CONTENT = new MessageContent("+14155550132", null, "Your results are ready");

	@Test
	void recordsWhatTheAttemptSendsAndWhenItStarted() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		delivery.startSending(CONTENT, T0.plusSeconds(1));
		assertThat(delivery.state()).isEqualTo(DeliveryState.SENDING);
		assertThat(delivery.attempts()).isEqualTo(1);
		assertThat(delivery.sendingStartedAt()).isEqualTo(T0.plusSeconds(1));
		assertThat(delivery.content()).isEqualTo(CONTENT);
		assertThat(delivery.statesEntered()).containsExactly(DeliveryState.PENDING, DeliveryState.SENDING);
	}

	@Test
	void countsEachStateEnteredInOneChangeNotOnlyTheLast() {
		Delivery delivery = sending();
		delivery.markStored();
		assertThat(delivery.statesEntered()).isEmpty();
		// the provider's answer, then a delivery receipt that had overtaken it, in one transaction
		delivery.markSent("SM1", T0);
		delivery.applyReceipt(ReceiptStatus.DELIVERED, null, T0);
		assertThat(delivery.statesEntered()).containsExactly(DeliveryState.SENT, DeliveryState.DELIVERED);
		delivery.markStored();
		assertThat(delivery.statesEntered()).isEmpty();
	}

	@Test
	void keepsTheProvidersIdOfADeliveryReadWhileItWasSending() {
		Delivery delivery = sending();
		delivery.markStored();
		delivery.markRead(T0);
		delivery.markStored();

		assertThat(delivery.keepProviderMessageIdOfRead("SM1")).isTrue();
		assertThat(delivery.providerMessageId()).isEqualTo("SM1");
		assertThat(delivery.state()).isEqualTo(DeliveryState.READ);
		assertThat(delivery.isChanged()).isTrue();
		assertThat(delivery.statesEntered()).isEmpty();
		// only once, and only for a read delivery
		assertThat(delivery.keepProviderMessageIdOfRead("SM2")).isFalse();
		assertThat(delivery.providerMessageId()).isEqualTo("SM1");
		assertThat(sending().keepProviderMessageIdOfRead("SM3")).isFalse();
	}

	@Test
	void keepsAnUnknownOutcomeSendingWithTheReason() {
		Delivery delivery = sending();
		delivery.recordUnknownOutcome("read timeout", T0);
		assertThat(delivery.state()).isEqualTo(DeliveryState.SENDING);
		assertThat(delivery.reason()).isEqualTo("read timeout");
		assertThat(delivery.isChanged()).isTrue();
	}

	@Test
	void returnsAnAttemptThatNeverReachedTheProviderWithoutCountingIt() {
		Delivery delivery = sending();
		delivery.returnUnsent("rate limit", T0.plusSeconds(5));
		assertThat(delivery.state()).isEqualTo(DeliveryState.SCHEDULED);
		assertThat(delivery.attempts()).isZero();
		assertThat(delivery.nextAttemptAt()).isEqualTo(T0.plusSeconds(5));
	}

	@Test
	void appliesReceiptsInAnyOrderAndIgnoresDuplicatesAndLateOnes() {
		Delivery delivery = sending();
		delivery.markSent("SM1", T0);
		assertThat(delivery.applyReceipt(ReceiptStatus.DELIVERED, null, T0)).isTrue();
		assertThat(delivery.applyReceipt(ReceiptStatus.DELIVERED, null, T0)).isFalse();
		// a failure report after delivery is late news: ignored
		assertThat(delivery.applyReceipt(ReceiptStatus.FAILED, "30008", T0)).isFalse();
		assertThat(delivery.applyReceipt(ReceiptStatus.READ, null, T0)).isTrue();
		// delivered after read
		assertThat(delivery.applyReceipt(ReceiptStatus.DELIVERED, null, T0)).isFalse();
		assertThat(delivery.state()).isEqualTo(DeliveryState.READ);
	}

	@Test
	void endsASentDeliveryWhoseProviderReportsItUndelivered() {
		Delivery delivery = sending();
		delivery.markSent("SM1", T0);
		assertThat(delivery.applyReceipt(ReceiptStatus.UNDELIVERABLE, "Twilio error 30003", T0)).isTrue();
		assertThat(delivery.state()).isEqualTo(DeliveryState.UNDELIVERABLE);
		assertThat(delivery.reason()).isEqualTo("Twilio error 30003");
		assertThat(delivery.hasFailed()).isTrue();
	}

	@Test
	void ignoresReceiptsForADeliveryThatNeverWentOut() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		delivery.suppress("opted out", T0);
		assertThat(delivery.applyReceipt(ReceiptStatus.DELIVERED, null, T0)).isFalse();
		assertThat(delivery.applyReceipt(ReceiptStatus.FAILED, null, T0)).isFalse();
		assertThat(delivery.state()).isEqualTo(DeliveryState.SUPPRESSED);
	}

	@Test
	void holdsAScheduledDeliveryAgainWithTheNewReason() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		delivery.scheduleFor(T0.plusSeconds(60), "not before", T0);
		delivery.scheduleFor(T0.plusSeconds(3600), "quiet hours", T0.plusSeconds(60));
		assertThat(delivery.state()).isEqualTo(DeliveryState.SCHEDULED);
		assertThat(delivery.nextAttemptAt()).isEqualTo(T0.plusSeconds(3600));
		assertThat(delivery.reason()).isEqualTo("quiet hours");
	}

	@Test
	void refusesAnUnknownOutcomeForADeliveryNotSending() {
		assertThatExceptionOfType(IllegalDeliveryTransitionException.class)
			.isThrownBy(() -> Delivery.pending(Channel.SMS, T0).recordUnknownOutcome("timeout", T0));
	}

	private static Delivery sending() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		delivery.startSending(CONTENT, T0);
		return delivery;
	}

}
