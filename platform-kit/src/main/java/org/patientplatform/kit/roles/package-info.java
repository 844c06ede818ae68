/**
 * Which of a service's deployment roles run in this process, and the condition that switches beans on by role.
 */
@NullMarked
package org.patientplatform.kit.roles;

import org.jspecify.annotations.NullMarked;
