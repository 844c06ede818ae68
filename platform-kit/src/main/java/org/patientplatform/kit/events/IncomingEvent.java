package org.patientplatform.kit.events;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * An event read from Kafka: its CloudEvents attributes and its data as a record.
 *
 * @param id {@code ce_id}, unique per event; the key of idempotent consumption
 * @param type {@code ce_type}
 * @param subject {@code ce_subject}, the aggregate id
 * @param time {@code ce_time}
 * @param data the validated data
 */
public record IncomingEvent<T>(String id, String type, @Nullable String subject, @Nullable Instant time, T data) {
}
