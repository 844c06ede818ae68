package org.patientplatform.kit.events;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * An event read from Kafka: its CloudEvents attributes and its data as a record.
 *
 * @param id {@code ce_id}, unique per event of its source
 * @param source {@code ce_source}; with {@code id}, the key of idempotent consumption (CloudEvents makes
 * {@code source + id} unique, not the id alone)
 * @param type {@code ce_type}
 * @param subject {@code ce_subject}, the aggregate id
 * @param time {@code ce_time}
 * @param data the validated data
 */
public record IncomingEvent<T>(String id, String source, String type, @Nullable String subject, @Nullable Instant time, T data) {
}
