/**
 * The event envelope: CloudEvents 1.0 in Kafka binary mode ({@code ce_*} headers, JSON data), with
 * {@code ce_type} named {@code <service>.<EventName>.v1} and data mapped to Java records.
 */
@NullMarked
package org.patientplatform.kit.events;

import org.jspecify.annotations.NullMarked;
