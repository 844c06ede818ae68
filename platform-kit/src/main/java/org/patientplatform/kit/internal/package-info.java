/**
 * The kit's wiring: auto-configuration and environment defaults; nothing here is for services to call.
 */
@NullMarked
package org.patientplatform.kit.internal;

import org.jspecify.annotations.NullMarked;
