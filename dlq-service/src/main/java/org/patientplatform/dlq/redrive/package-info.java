/**
 * Redrive: sends entries back to their topic (automatic retries use it too), and the operator's redrive,
 * edit-and-redrive, discard and bulk redrive jobs.
 */
@NullMarked
package org.patientplatform.dlq.redrive;

import org.jspecify.annotations.NullMarked;
