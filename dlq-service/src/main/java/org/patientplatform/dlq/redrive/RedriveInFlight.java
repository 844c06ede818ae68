package org.patientplatform.dlq.redrive;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * An operator's redrive of an entry whose previous redrive is still in flight: 409 with {@code Retry-After}, the
 * seconds until that redrive is settled at the latest (its outcome may come sooner). Nothing was sent; the action is
 * audited {@link org.patientplatform.dlq.capture.AuditOutcome#REJECTED}, as the DLQ refuses it from what it holds.
 */
final class RedriveInFlight extends ErrorResponseException {

	RedriveInFlight(String detail, long retryAfterSeconds) {
		super(HttpStatus.CONFLICT, ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail), null);
		getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
	}

}
