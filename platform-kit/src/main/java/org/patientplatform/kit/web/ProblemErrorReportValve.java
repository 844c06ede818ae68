package org.patientplatform.kit.web;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * The servlet container's own error answer as RFC 9457 problem+json instead of its HTML page: for what
 * Tomcat refuses before any filter or controller runs (a malformed percent escape, a backslash or an
 * encoded NUL in the path, a request line it cannot parse), and for any error nothing else answered. The
 * detail is the container's message for a client error (it names what was wrong with the request) and a
 * generic one for a server error; never a stack trace or the server's version.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

	/**
	 * For a 400 the container gives no reason for: it could not parse the request (a request line or header that
	 * breaks HTTP's rules, a path whose percent escapes do not give UTF-8), and "Bad Request" said nothing of it.
	 */
	static final String MALFORMED = "The request is malformed and could not be read: its request line, path or a "
			+ "header breaks HTTP's rules (for example a character a URL must percent-encode, percent escapes that do "
			+ "not give UTF-8, or a header line without a colon).";

	private final ProblemResponses problems;

	public ProblemErrorReportValve(ProblemResponses problems) {
		this.problems = problems;
		setShowReport(false);
		setShowServerInfo(false);
	}

	@Override
	protected void report(Request request, Response response, @Nullable Throwable throwable) {
		int status = response.getStatus();
		// as the container's own valve: only an error, only when nothing was written, only once
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		AtomicBoolean writable = new AtomicBoolean(false);
		response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, writable);
		if (!writable.get()) {
			return;
		}
		HttpStatus known = HttpStatus.resolve(status);
		String message = response.getMessage();
		String detail = (status < 500 && message != null && !message.isBlank()) ? message
				: (status == 400) ? MALFORMED : (known != null) ? known.getReasonPhrase() : "Error";
		try {
			this.problems.writeUnder(request, response,
					ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail));
			response.finishResponse();
		}
		catch (IOException | IllegalStateException ex) {
			// the client is gone or the response cannot be written: nothing more to tell it
		}
	}

}
