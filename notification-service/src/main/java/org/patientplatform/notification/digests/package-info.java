/**
 * Digests: when {@code notification.digests.window} is above zero, the result-ready
 * notices a patient gets within the window become one notice, held until the window
 * closes, of type {@code results-digest} with a {@code count} once it stands for more
 * than one result.
 */
@NullMarked
package org.patientplatform.notification.digests;

import org.jspecify.annotations.NullMarked;
