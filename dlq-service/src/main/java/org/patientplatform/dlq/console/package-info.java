/**
 * The ops console: a page served with the {@code app} role at {@code /console/} that searches, inspects, reveals,
 * redrives and discards entries and runs bulk redrives, through the same API and token an operator's client uses.
 * It holds no server-side state and no credentials of its own.
 */
@NullMarked
package org.patientplatform.dlq.console;

import org.jspecify.annotations.NullMarked;
