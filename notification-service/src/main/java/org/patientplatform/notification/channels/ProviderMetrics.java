package org.patientplatform.notification.channels;

import java.util.Locale;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.patientplatform.notification.delivery.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times every provider call: {@value #LATENCY} for sends and {@value #LOOKUP} for lookups (of a
 * send whose outcome was unknown, and of a sent message's status: outcome {@code status},
 * {@code not-found}, {@code unavailable}), tagged with the provider, the channel and the outcome. A send that throws
 * instead of answering is logged and counted as an {@link SendResult.Unknown} outcome, so it
 * is reconciled rather than resent.
 */
final class ProviderMetrics {

	/** Provider send latency; tags {@code provider}, {@code channel}, {@code outcome}. */
	static final String LATENCY = "notification.provider.latency";

	/** Provider lookup latency; tags {@code provider}, {@code channel}, {@code outcome}. */
	static final String LOOKUP = "notification.provider.lookup";

	private static final Logger logger = LoggerFactory.getLogger(ProviderMetrics.class);

	private final MeterRegistry registry;

	private final String provider;

	private final String channel;

	ProviderMetrics(MeterRegistry registry, String provider, Channel channel) {
		this.registry = registry;
		this.provider = provider;
		this.channel = channel.name().toLowerCase(Locale.ROOT);
	}

	SendResult send(OutboundMessage message, Supplier<SendResult> call) {
		Timer.Sample sample = Timer.start(this.registry);
		SendResult result;
		try {
			result = call.get();
		}
		catch (RuntimeException ex) {
			logger.warn("{} send of delivery {} to {} failed unexpectedly", this.channel, message.deliveryId(),
					this.provider, ex);
			result = new SendResult.Unknown(this.provider + ": unexpected " + ex.getClass().getSimpleName());
		}
		sample.stop(Timer.builder(LATENCY)
			.description("Time of one send to a notification provider, by outcome")
			.tags("provider", this.provider, "channel", this.channel, "outcome", outcome(result))
			.publishPercentileHistogram()
			.register(this.registry));
		return result;
	}

	LookupResult lookup(Supplier<LookupResult> call) {
		Timer.Sample sample = Timer.start(this.registry);
		LookupResult result = call.get();
		sample.stop(Timer.builder(LOOKUP)
			.description("Time of one status lookup at a notification provider, by outcome")
			.tags("provider", this.provider, "channel", this.channel, "outcome", outcome(result))
			.register(this.registry));
		return result;
	}

	MessageStatus status(Supplier<MessageStatus> call) {
		Timer.Sample sample = Timer.start(this.registry);
		MessageStatus result = call.get();
		sample.stop(Timer.builder(LOOKUP)
			.description("Time of one status lookup at a notification provider, by outcome")
			.tags("provider", this.provider, "channel", this.channel, "outcome", outcome(result))
			.register(this.registry));
		return result;
	}

	static String outcome(SendResult result) {
		return switch (result) {
			case SendResult.Accepted accepted -> "accepted";
			case SendResult.RetryLater retry -> "retry-later";
			case SendResult.Rejected rejected -> "rejected";
			case SendResult.Unknown unknown -> "unknown";
		};
	}

	static String outcome(MessageStatus result) {
		return switch (result) {
			case MessageStatus.Known known -> "status";
			case MessageStatus.NotFound notFound -> "not-found";
			case MessageStatus.Unavailable unavailable -> "unavailable";
		};
	}

	static String outcome(LookupResult result) {
		return switch (result) {
			case LookupResult.Found found -> "found";
			case LookupResult.NotFound notFound -> "not-found";
			case LookupResult.Unavailable unavailable -> "unavailable";
		};
	}

}
