package org.patientplatform.notification.sending;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.patientplatform.notification.delivery.DeliveryQueue.RecentSend;
import org.patientplatform.notification.delivery.Notification;
import org.patientplatform.notification.delivery.NotificationId;

/**
 * Counts, for one claimed batch, the notifications of each patient and type that went
 * out within the cap's window: those sent before (read at claim time) plus those this
 * batch sends. A notification never counts against itself, so its second channel is not
 * capped by its first.
 */
final class FrequencyCapTally {

	private final int cap;

	private final Map<String, Set<NotificationId>> sent = new HashMap<>();

	FrequencyCapTally(int cap, List<RecentSend> recent) {
		this.cap = cap;
		recent.forEach((send) -> this.sent.computeIfAbsent(key(send.patientId(), send.type()), (k) -> new HashSet<>())
			.add(send.notificationId()));
	}

	/** True when sending this notification would go over the cap. */
	boolean exceeded(Notification notification) {
		Set<NotificationId> already = this.sent.getOrDefault(key(notification.patientId(), notification.type()),
				Set.of());
		int others = already.size() - (already.contains(notification.id()) ? 1 : 0);
		return others >= this.cap;
	}

	/** Counts a notification this batch sends. */
	void sending(Notification notification) {
		this.sent.computeIfAbsent(key(notification.patientId(), notification.type()), (k) -> new HashSet<>())
			.add(notification.id());
	}

	private static String key(String patientId, String type) {
		return patientId + '\u0000' + type;
	}

}
