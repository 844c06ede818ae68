package org.patientplatform.notification.delivery;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class DeliveryTests {

	static final Instant T0 = Instant.parse("2026-03-07T15:00:00Z");

	@Test
	void startsPending() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		assertThat(delivery.state()).isEqualTo(DeliveryState.PENDING);
		assertThat(delivery.attempts()).isZero();
		assertThat(delivery.stateChangedAt()).isEqualTo(T0);
	}

	@Test
	void goesFromPendingToReadThroughSendingSentAndDelivered() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		delivery.startSending(T0.plusSeconds(1));
		assertThat(delivery.state()).isEqualTo(DeliveryState.SENDING);
		assertThat(delivery.attempts()).isEqualTo(1);
		delivery.markSent("SM123", T0.plusSeconds(2));
		assertThat(delivery.providerMessageId()).isEqualTo("SM123");
		assertThat(delivery.markDelivered(T0.plusSeconds(3))).isTrue();
		assertThat(delivery.markRead(T0.plusSeconds(4))).isTrue();
		assertThat(delivery.state()).isEqualTo(DeliveryState.READ);
		assertThat(delivery.stateChangedAt()).isEqualTo(T0.plusSeconds(4));
	}

	@Test
	void ignoresDuplicateAndLateReceipts() {
		Delivery delivery = sent();
		assertThat(delivery.markDelivered(T0)).isTrue();
		assertThat(delivery.markDelivered(T0)).isFalse();
		assertThat(delivery.markRead(T0)).isTrue();
		assertThat(delivery.markDelivered(T0)).isFalse();
		assertThat(delivery.markRead(T0)).isFalse();
		assertThat(delivery.state()).isEqualTo(DeliveryState.READ);
	}

	@Test
	void acceptsAReceiptThatOvertakesTheProvidersAnswer() {
		Delivery delivery = Delivery.pending(Channel.PUSH, T0);
		delivery.startSending(T0);
		assertThat(delivery.markDelivered(T0)).isTrue();
		assertThat(delivery.state()).isEqualTo(DeliveryState.DELIVERED);
	}

	@Test
	void retriesAFailedAttemptAtTheScheduledTime() {
		Delivery delivery = Delivery.pending(Channel.EMAIL, T0);
		delivery.startSending(T0);
		delivery.markFailed("SMTP 451", T0);
		delivery.scheduleRetry(T0.plusSeconds(30), "SMTP 451", T0);
		assertThat(delivery.state()).isEqualTo(DeliveryState.SCHEDULED);
		assertThat(delivery.nextAttemptAt()).isEqualTo(T0.plusSeconds(30));
		delivery.startSending(T0.plusSeconds(30));
		assertThat(delivery.attempts()).isEqualTo(2);
		assertThat(delivery.nextAttemptAt()).isNull();
		assertThat(delivery.reason()).isNull();
	}

	@Test
	void reschedulesASendThatWasRateLimited() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		delivery.startSending(T0);
		delivery.scheduleRetry(T0.plusSeconds(5), "429 Retry-After 5", T0);
		assertThat(delivery.state()).isEqualTo(DeliveryState.SCHEDULED);
	}

	@Test
	void holdsAPendingDeliveryUntilATime() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		delivery.scheduleFor(T0.plusSeconds(3600), T0);
		assertThat(delivery.state()).isEqualTo(DeliveryState.SCHEDULED);
		assertThat(delivery.nextAttemptAt()).isEqualTo(T0.plusSeconds(3600));
		delivery.cancel("booking cancelled", T0);
		assertThat(delivery.state()).isEqualTo(DeliveryState.CANCELLED);
		assertThat(delivery.reason()).isEqualTo("booking cancelled");
		assertThat(delivery.nextAttemptAt()).isNull();
	}

	@Test
	void rejectsARetryOfADeliveryThatNeverFailed() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		assertThatExceptionOfType(IllegalDeliveryTransitionException.class)
			.isThrownBy(() -> delivery.scheduleRetry(T0, "x", T0))
			.satisfies((ex) -> {
				assertThat(ex.from()).isEqualTo(DeliveryState.PENDING);
				assertThat(ex.to()).isEqualTo(DeliveryState.SCHEDULED);
			});
	}

	@Test
	void rejectsMarkingSentWhatWasNotBeingSent() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		assertThatExceptionOfType(IllegalDeliveryTransitionException.class)
			.isThrownBy(() -> delivery.markSent("SM1", T0))
			.withMessageContaining("PENDING")
			.withMessageContaining("SENT");
		assertThat(delivery.state()).isEqualTo(DeliveryState.PENDING);
	}

	@Test
	void rejectsSendingADeliveredMessageAgain() {
		Delivery delivery = sent();
		delivery.markDelivered(T0);
		assertThatExceptionOfType(IllegalDeliveryTransitionException.class).isThrownBy(() -> delivery.startSending(T0));
	}

	@Test
	void rejectsSuppressingAMessageAlreadySent() {
		Delivery delivery = sent();
		assertThatExceptionOfType(IllegalDeliveryTransitionException.class)
			.isThrownBy(() -> delivery.suppress("opted out", T0));
	}

	@Test
	void endsUndeliverableWithTheReason() {
		Delivery delivery = Delivery.pending(Channel.PUSH, T0);
		delivery.startSending(T0);
		delivery.markUndeliverable("UNREGISTERED token", T0);
		assertThat(delivery.state()).isEqualTo(DeliveryState.UNDELIVERABLE);
		assertThat(delivery.reason()).isEqualTo("UNREGISTERED token");
	}

	@ParameterizedTest
	@EnumSource(value = DeliveryState.class, names = { "UNDELIVERABLE", "SUPPRESSED", "CANCELLED" })
	void allowsNoMoveOutOfAFinalState(DeliveryState finalState) {
		List<Consumer<Delivery>> moves = List.of((d) -> d.startSending(T0), (d) -> d.scheduleFor(T0, T0),
				(d) -> d.markSent("x", T0), (d) -> d.markDelivered(T0), (d) -> d.markRead(T0),
				(d) -> d.markFailed("x", T0), (d) -> d.scheduleRetry(T0, "x", T0), (d) -> d.markUndeliverable("x", T0),
				(d) -> d.suppress("x", T0), (d) -> d.cancel("x", T0));
		for (Consumer<Delivery> move : moves) {
			Delivery delivery = in(finalState);
			assertThatExceptionOfType(IllegalDeliveryTransitionException.class).isThrownBy(() -> move.accept(delivery));
			assertThat(delivery.state()).isEqualTo(finalState);
		}
	}

	@Test
	void knowsWhichStatesAreFinal() {
		assertThat(EnumSet.allOf(DeliveryState.class).stream().filter(DeliveryState::isFinal))
			.containsExactlyInAnyOrder(DeliveryState.READ, DeliveryState.UNDELIVERABLE, DeliveryState.SUPPRESSED,
					DeliveryState.CANCELLED);
		assertThat(DeliveryState.PENDING.canMoveTo(DeliveryState.READ)).isFalse();
		assertThat(DeliveryState.SENT.canMoveTo(DeliveryState.SENDING)).isFalse();
		assertThat(DeliveryState.FAILED.canMoveTo(DeliveryState.SCHEDULED)).isTrue();
	}

	private static Delivery sent() {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		delivery.startSending(T0);
		delivery.markSent("SM1", T0);
		return delivery;
	}

	private static Delivery in(DeliveryState state) {
		Delivery delivery = Delivery.pending(Channel.SMS, T0);
		switch (state) {
			case UNDELIVERABLE -> delivery.markUndeliverable("x", T0);
			case SUPPRESSED -> delivery.suppress("x", T0);
			case CANCELLED -> delivery.cancel("x", T0);
			default -> throw new IllegalArgumentException(state.name());
		}
		return delivery;
	}

}
