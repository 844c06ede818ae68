package org.patientplatform.notification.sending;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.patientplatform.notification.channels.ChannelSender;
import org.patientplatform.notification.delivery.Channel;

/**
 * The provider of each channel. When two senders serve one channel, the one first in
 * order ({@code @Order}, {@code Ordered}) is used.
 */
final class ChannelSenders {

	private final Map<Channel, ChannelSender> byChannel = new EnumMap<>(Channel.class);

	ChannelSenders(List<ChannelSender> ordered) {
		ordered.forEach((sender) -> this.byChannel.putIfAbsent(sender.channel(), sender));
	}

	Optional<ChannelSender> of(Channel channel) {
		return Optional.ofNullable(this.byChannel.get(channel));
	}

}
