/**
 * Templates: the text of each notification type per channel and language, rendered by a
 * logic-less engine, with SMS segment counting.
 */
@NullMarked
package org.patientplatform.notification.templates;

import org.jspecify.annotations.NullMarked;
