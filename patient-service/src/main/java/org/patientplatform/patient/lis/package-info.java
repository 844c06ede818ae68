/**
 * The LIS inbound feed: reads HL7 v2 ER7 messages from lis.inbound.v1 and records patient demographics,
 * test orders and the release of their results from them, once per message control id. HL7 stays here.
 */
@NullMarked
package org.patientplatform.patient.lis;

import org.jspecify.annotations.NullMarked;
