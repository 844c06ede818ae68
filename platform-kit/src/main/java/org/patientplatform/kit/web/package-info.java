/**
 * HTTP conventions: RFC 9457 problem+json errors.
 */
@NullMarked
package org.patientplatform.kit.web;

import org.jspecify.annotations.NullMarked;
