/**
 * The LIS inbound feed: reads HL7 v2 ER7 messages from lis.inbound.v1 and records patient demographics
 * from them, once per message control id.
 */
@NullMarked
package org.patientplatform.patient.lis;

import org.jspecify.annotations.NullMarked;
