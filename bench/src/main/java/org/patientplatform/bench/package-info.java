/**
 * Benchmarks of the platform's paths, each beside the raw limit of the same Kafka broker and PostgreSQL
 * measured in the same run.
 */
@NullMarked
package org.patientplatform.bench;

import org.jspecify.annotations.NullMarked;
