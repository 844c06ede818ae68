package org.patientplatform.notification.delivery;

import org.jspecify.annotations.Nullable;

/**
 * A channel the patient chose to be reached on, and whether they can be: an opted-in
 * channel with no address, or an unusable one (an invalid phone number, say), still gets a
 * delivery, ended {@link DeliveryState#UNDELIVERABLE} with the reason, so nobody wonders
 * where the message went.
 *
 * @param channel the channel
 * @param unreachableReason why it cannot be used (no address, or an unusable one), or null
 * when it can
 */
public record ChannelTarget(Channel channel, @Nullable String unreachableReason) {

	public static ChannelTarget reachable(Channel channel) {
		return new ChannelTarget(channel, null);
	}

	/** A channel the patient has no usable address for, with the reason. */
	public static ChannelTarget unreachable(Channel channel, String reason) {
		return new ChannelTarget(channel, reason);
	}

}
