/**
 * JWT resource-server security shared by every service: roles from a claim, problem+json for 401 and 403.
 */
@NullMarked
package org.patientplatform.kit.security;

import org.jspecify.annotations.NullMarked;
