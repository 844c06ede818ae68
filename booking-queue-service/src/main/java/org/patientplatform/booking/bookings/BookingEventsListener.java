package org.patientplatform.booking.bookings;

import java.util.Set;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.patientplatform.kit.events.InvalidEventException;
import org.patientplatform.kit.events.PlatformEvents;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Role {@code spc-booking-topic--consumer}: applies the events of {@code booking.events.v1} to the
 * bookings and the queues. A record that is not a valid event of a known type fails with
 * {@link InvalidEventException}: the kit's failure path sends it to the DLQ at once. The offset is
 * committed only after the event's transaction commits. Logs carry ids and coordinates only.
 */
@Component
@ConditionalOnRole("spc-booking-topic--consumer")
class BookingEventsListener {

	private static final Logger log = LoggerFactory.getLogger(BookingEventsListener.class);

	/**
	 * Types that travel on the topic but that this consumer has no use for: {@link BookingConfirmed} is this
	 * service's own announcement of a change it has made (applying it again would change nothing, and must never
	 * publish anything). The service's own {@link BookingCancelled} (an API
	 * cancellation) is read back like any other: its booking is already cancelled, so it changes nothing and
	 * announces nothing (a cancellation from the topic is never published again, see {@code BookingAnnouncements}).
	 */
	private static final Set<String> NOT_CONSUMED = Set.of(BookingConfirmed.TYPE);

	private final PlatformEvents events;

	private final BookingEventApplier applier;

	BookingEventsListener(PlatformEvents events, BookingEventApplier applier) {
		this.events = events;
		this.applier = applier;
	}

	@KafkaListener(id = "booking-events", topics = "${booking.topics.events}", groupId = "${booking.consumer.group-id}",
			concurrency = "${booking.consumer.concurrency}")
	void on(ConsumerRecord<byte[], byte[]> record) {
		// binary or structured mode: the kit's envelope names the type either way
		CloudEvent event = this.events.envelope(record);
		String type = shortened(event.getType());
		switch (type) {
			case BookingRequested.TYPE -> this.applier.apply(this.events.read(event, type, BookingRequested.class));
			case BookingCancelled.TYPE -> this.applier.apply(this.events.read(event, type, BookingCancelled.class));
			case BookingCheckedIn.TYPE -> this.applier.apply(this.events.read(event, type, BookingCheckedIn.class));
			case BookingCalled.TYPE -> this.applier.apply(this.events.read(event, type, BookingCalled.class));
			case BookingNoShow.TYPE -> this.applier.apply(this.events.read(event, type, BookingNoShow.class));
			default -> {
				if (!NOT_CONSUMED.contains(type)) {
					throw new InvalidEventException("Unknown event type " + type + " on " + record.topic());
				}
				log.debug("Skipped {} at {}-{}@{}", type, record.topic(), record.partition(), record.offset());
			}
		}
	}

	private static String shortened(String type) {
		return (type.length() > 200) ? type.substring(0, 200) : type;
	}

}
