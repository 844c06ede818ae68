package org.patientplatform.notification.delivery;

import org.jspecify.annotations.Nullable;

/**
 * A channel the patient chose to be reached on, and whether they can be: an opted-in
 * channel whose address is unusable (an invalid phone number, say) still gets a delivery,
 * ended {@link DeliveryState#UNDELIVERABLE} with the reason, so nobody wonders where the
 * message went.
 *
 * @param channel the channel
 * @param unreachableReason why it cannot be used, or null when it can
 */
public record ChannelTarget(Channel channel, @Nullable String unreachableReason) {

	public static ChannelTarget reachable(Channel channel) {
		return new ChannelTarget(channel, null);
	}

	public static ChannelTarget unreachable(Channel channel, String reason) {
		return new ChannelTarget(channel, reason);
	}

}
