package org.patientplatform.notification.delivery;

import org.jspecify.annotations.Nullable;

/**
 * A channel the patient chose to be reached on, and whether they can be: an opted-in
 * channel with no address, or an unusable one (an invalid phone number, say), still gets a
 * delivery, ended {@link DeliveryState#UNDELIVERABLE} with the reason, so nobody wonders
 * where the message went.
 *
 * @param channel the channel
 * @param unreachableReason why it cannot be used, or null when it can
 * @param addressMissing true when the patient has no address at all on the channel (not an
 * unusable one): a request that names the channel leaves it to the sender, which weighs
 * the contact as it is then and falls back to another channel
 */
public record ChannelTarget(Channel channel, @Nullable String unreachableReason, boolean addressMissing) {

	public static ChannelTarget reachable(Channel channel) {
		return new ChannelTarget(channel, null, false);
	}

	/** A channel whose address is unusable, with the reason. */
	public static ChannelTarget unreachable(Channel channel, String reason) {
		return new ChannelTarget(channel, reason, false);
	}

	/** A channel the patient has no address for, with the reason. */
	public static ChannelTarget noAddress(Channel channel, String reason) {
		return new ChannelTarget(channel, reason, true);
	}

}
