/**
 * The application the {@code failure-path} benchmark runs its listeners in: nothing but platform-kit's
 * auto-configuration, as every service has it.
 */
@NullMarked
package org.patientplatform.bench.failurepath;

import org.jspecify.annotations.NullMarked;
