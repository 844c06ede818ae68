/**
 * The DLQ service (pat--dlq--be): stores failed records from every consumer, retries and redrives them.
 */
@NullMarked
package org.patientplatform.dlq;

import org.jspecify.annotations.NullMarked;
