/**
 * Lab test orders linked to their patients (from the LIS's orders and results) and the
 * TestResultReady events that tell the patient a result is released: the order, the test's code and
 * the times, never a result value.
 */
@NullMarked
package org.patientplatform.patient.orders;

import org.jspecify.annotations.NullMarked;
