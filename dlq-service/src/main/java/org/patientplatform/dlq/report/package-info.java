/**
 * The daily report: failures per service, topic and error, redrive outcomes and retry success rate,
 * what resolved and what failed permanently, and the oldest unresolved entry; built once a day and served
 * as JSON and CSV.
 */
@NullMarked
package org.patientplatform.dlq.report;

import org.jspecify.annotations.NullMarked;
