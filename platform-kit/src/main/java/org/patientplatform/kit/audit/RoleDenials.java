package org.patientplatform.kit.audit;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits a request refused because the caller's role does not allow the operation (a {@code @PreAuthorize} or a
 * path rule: the 403 answered before any resource is read). A service audits its own object-level refusals (a
 * patient asking for another patient's data) with the resource they name; this records the rest, so that every
 * refused access is in the audit log: who, which operation ({@code resource_type} {@code endpoint},
 * {@code resource_id} the method and path, never the query string), action {@code access.denied}.
 * An audit log that cannot be written does not change the answer: the refusal is still a 403, and logged.
 */
public class RoleDenials {

	private static final Logger log = LoggerFactory.getLogger(RoleDenials.class);

	/** The longest path kept; a longer one is cut (and says so). */
	static final int MAX_PATH = 512;

	private final AuditLog audit;

	public RoleDenials(AuditLog audit) {
		this.audit = audit;
	}

	/** Records the current caller's refused request. */
	public void record(HttpServletRequest request) {
		String operation = operation(request);
		try {
			this.audit.record("access.denied", "endpoint", operation, "denied",
					"the caller's role does not allow this operation");
		}
		catch (RuntimeException ex) {
			log.warn("Could not audit a request refused for its role ({}): {}", operation, ex.toString());
		}
	}

	static String operation(HttpServletRequest request) {
		String path = request.getRequestURI();
		if (path == null) {
			path = "";
		}
		if (path.length() > MAX_PATH) {
			path = path.substring(0, MAX_PATH) + "…";
		}
		return request.getMethod() + " " + path;
	}

}
