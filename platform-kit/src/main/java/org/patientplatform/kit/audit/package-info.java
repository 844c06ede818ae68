/**
 * Append-only audit log of reads and changes of patient data; ids only, never PHI.
 */
@NullMarked
package org.patientplatform.kit.audit;

import org.jspecify.annotations.NullMarked;
