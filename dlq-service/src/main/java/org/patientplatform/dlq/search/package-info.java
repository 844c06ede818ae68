/**
 * Operator search: filtered, keyset-paginated listing of entries, facet counts, and the audited payload
 * reveal. {@link org.patientplatform.dlq.search.EntryFilter} is also how a bulk redrive selects entries.
 */
@NullMarked
package org.patientplatform.dlq.search;

import org.jspecify.annotations.NullMarked;
