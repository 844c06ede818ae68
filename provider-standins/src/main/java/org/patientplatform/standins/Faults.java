package org.patientplatform.standins;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Faults the stand-ins inject, for tests and demos. Send faults apply to the next sends of
 * one provider, in the order they were added; recipient faults (a phone that cannot be
 * reached, a push token that is unregistered) last until {@link #clear()}.
 * Thread-safe. Also reachable over HTTP: {@code POST /standin/faults} on each stand-in.
 */
public final class Faults {

	/** A provider of the stand-ins. */
	public enum Target {

		/** The Twilio-compatible Messages API. */
		SMS,
		/** FCM HTTP v1. */
		PUSH,
		/** SMTP. */
		EMAIL

	}

	/** What a send fault does. */
	public enum Kind {

		/**
		 * The provider fails: HTTP 500 with the provider's error body; SMTP {@code 451} to
		 * {@code MAIL FROM}. Nothing is stored.
		 */
		ERROR,
		/**
		 * The provider throttles: HTTP 429 with {@code Retry-After}; SMTP {@code 421}. Nothing
		 * is stored.
		 */
		THROTTLE,
		/**
		 * The provider refuses the message for good: Twilio 400 code 21408, FCM 400
		 * {@code INVALID_ARGUMENT}, SMTP {@code 550 5.1.1} to {@code RCPT TO}. Nothing is
		 * stored.
		 */
		REJECT,
		/**
		 * The provider takes and stores the message, then answers only after a delay: a
		 * client that times out first does not know the message arrived.
		 */
		DELAY

	}

	/** How a phone number's messages end after they are sent. */
	public enum PhoneOutcome {

		/** {@code sent}, then {@code delivered} (the default). */
		DELIVERED,
		/** {@code sent}, then {@code undelivered} with error 30003 (handset unreachable). */
		UNDELIVERED,
		/** {@code failed} with error 30008 (unknown error), never sent. */
		FAILED,
		/**
		 * {@code canceled}, never sent: Twilio's status of a scheduled message canceled before its send time (no
		 * error code).
		 */
		CANCELED,
		/**
		 * {@code sent}, and no more: the carrier confirms nothing, as Twilio's messages to carriers without
		 * delivery receipts stay.
		 */
		SENT

	}

	/**
	 * One send fault.
	 *
	 * @param kind what it does
	 * @param retryAfterSeconds for {@link Kind#THROTTLE}, the {@code Retry-After} seconds
	 * @param delay for {@link Kind#DELAY}, how long the answer waits
	 */
	public record Fault(Kind kind, int retryAfterSeconds, Duration delay) {
	}

	private final Map<Target, Deque<Fault>> pending = new EnumMap<>(Target.class);

	private int failingFetches;

	private final Map<String, PhoneOutcome> phones = new ConcurrentHashMap<>();

	private final Set<String> unregisteredTokens = ConcurrentHashMap.newKeySet();

	Faults() {
		for (Target target : Target.values()) {
			this.pending.put(target, new ArrayDeque<>());
		}
	}

	/** The next {@code count} sends to the target fail with a server error. */
	public Faults failNext(Target target, int count) {
		return add(target, count, new Fault(Kind.ERROR, 0, Duration.ZERO));
	}

	/** The next {@code count} sends are throttled, asking to wait {@code retryAfterSeconds}. */
	public Faults throttleNext(Target target, int count, int retryAfterSeconds) {
		return add(target, count, new Fault(Kind.THROTTLE, retryAfterSeconds, Duration.ZERO));
	}

	/** The next {@code count} sends are refused for good. */
	public Faults rejectNext(Target target, int count) {
		return add(target, count, new Fault(Kind.REJECT, 0, Duration.ZERO));
	}

	/** The next {@code count} sends are stored, then answered after {@code delay}. */
	public Faults delayNext(Target target, int count, Duration delay) {
		return add(target, count, new Fault(Kind.DELAY, 0, delay));
	}

	/**
	 * The next {@code count} fetches of one SMS ({@code GET …/Messages/{Sid}.json}) fail with a server error
	 * (500, Twilio code 20500); sends are not affected.
	 */
	public synchronized Faults failNextSmsFetches(int count) {
		this.failingFetches += count;
		return this;
	}

	/** Messages to the number end as given (it may be {@code DELIVERED} again). */
	public Faults phone(String e164, PhoneOutcome outcome) {
		this.phones.put(e164, outcome);
		return this;
	}

	/** Sends to the push token answer 404 {@code UNREGISTERED}. */
	public Faults unregister(String pushToken) {
		this.unregisteredTokens.add(pushToken);
		return this;
	}

	/** Removes every fault. */
	public synchronized void clear() {
		this.pending.values().forEach(Deque::clear);
		this.failingFetches = 0;
		this.phones.clear();
		this.unregisteredTokens.clear();
	}

	private synchronized Faults add(Target target, int count, Fault fault) {
		for (int i = 0; i < count; i++) {
			this.pending.get(target).addLast(fault);
		}
		return this;
	}

	/** Takes the fault for one send, or null when the send goes through. */
	synchronized @Nullable Fault take(Target target) {
		return this.pending.get(target).pollFirst();
	}

	/** Takes a fault for one SMS fetch: true when it fails. */
	synchronized boolean takeSmsFetchFault() {
		if (this.failingFetches == 0) {
			return false;
		}
		this.failingFetches--;
		return true;
	}

	PhoneOutcome outcome(String e164) {
		return this.phones.getOrDefault(e164, PhoneOutcome.DELIVERED);
	}

	boolean isUnregistered(String pushToken) {
		return this.unregisteredTokens.contains(pushToken);
	}

	/** The faults in force, as the HTTP API shows them. */
	synchronized Map<String, Object> describe() {
		Map<String, Object> sends = new LinkedHashMap<>();
		this.pending.forEach((target, faults) -> {
			List<Map<String, Object>> list = new ArrayList<>();
			for (Fault fault : faults) {
				list.add(Map.of("kind", fault.kind().name().toLowerCase(Locale.ROOT), "retryAfterSeconds",
						fault.retryAfterSeconds(), "delayMillis", fault.delay().toMillis()));
			}
			sends.put(target.name().toLowerCase(Locale.ROOT), list);
		});
		Map<String, String> phoneOutcomes = new LinkedHashMap<>();
		this.phones.forEach((phone, outcome) -> phoneOutcomes.put(phone, outcome.name().toLowerCase(Locale.ROOT)));
		return Map.of("sends", sends, "smsFetchErrors", this.failingFetches, "phones", phoneOutcomes,
				"unregisteredPushTokens", List.copyOf(this.unregisteredTokens));
	}

	/**
	 * Applies one fault given over HTTP, e.g.
	 * {@code {"target":"sms","kind":"throttle","count":2,"retryAfterSeconds":3}},
	 * {@code {"target":"sms","kind":"error","count":1,"on":"fetch"}} (the SMS fetches, not the sends),
	 * {@code {"phone":"+15551230000","outcome":"undelivered"}} or
	 * {@code {"pushToken":"abc","unregistered":true}}.
	 */
	void apply(Map<String, Object> request) {
		if (request.get("phone") instanceof String phone) {
			phone(phone, PhoneOutcome.valueOf(text(request, "outcome", "undelivered").toUpperCase(Locale.ROOT)));
			return;
		}
		if (request.get("pushToken") instanceof String token) {
			if (Boolean.FALSE.equals(request.get("unregistered"))) {
				this.unregisteredTokens.remove(token);
			}
			else {
				unregister(token);
			}
			return;
		}
		Target target = Target.valueOf(text(request, "target", "").toUpperCase(Locale.ROOT));
		Kind kind = Kind.valueOf(text(request, "kind", "").toUpperCase(Locale.ROOT));
		int count = number(request, "count", 1);
		if ("fetch".equals(request.get("on"))) {
			if (target != Target.SMS || kind != Kind.ERROR) {
				throw new IllegalArgumentException("only SMS fetches can fail (target sms, kind error)");
			}
			failNextSmsFetches(count);
			return;
		}
		switch (kind) {
			case ERROR -> failNext(target, count);
			case THROTTLE -> throttleNext(target, count, number(request, "retryAfterSeconds", 1));
			case REJECT -> rejectNext(target, count);
			case DELAY -> delayNext(target, count, Duration.ofMillis(number(request, "delayMillis", 5000)));
		}
	}

	private static String text(Map<String, Object> request, String name, String fallback) {
		Object value = request.get(name);
		return (value != null) ? value.toString() : fallback;
	}

	private static int number(Map<String, Object> request, String name, int fallback) {
		Object value = request.get(name);
		return (value instanceof Number n) ? n.intValue() : (value != null) ? Integer.parseInt(value.toString()) : fallback;
	}

}
