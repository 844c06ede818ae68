/**
 * The patient service (pat--patient-mgt--be): patient records and their demographics, kept in step with
 * the LIS through HL7 v2 messages.
 */
@NullMarked
package org.patientplatform.patient;

import org.jspecify.annotations.NullMarked;
