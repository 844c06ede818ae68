package org.patientplatform.kit.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.util.StreamUtils;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * {@code Idempotency-Key} on POSTs: the first request with a key runs and its response is kept for 24
 * hours; the same key with the same body replays that response (a JSON body compared by what it says, not
 * how it was written: {@link RequestFingerprint}); the same key with another body answers 422; a key whose
 * first request is still running answers 409. Keys belong to the caller: the token's subject and, when the
 * token has one, its patient id claim (an identity provider may give every patient token the same subject,
 * as the local token issuer did), so two callers never see each other's responses. Server errors are not
 * kept, so a retry after a 5xx runs again, and neither is the answer to a request refused before its operation ran
 * ({@link #REFUSED_BEFORE_RUNNING}: a body that does not validate, a token or role refused, a body too large, a
 * media type not taken), so its corrected retry with the same key runs; every other answer is kept, 2xx and the
 * operation's own 404, 409 and 422. A transient database failure of the filter's own before the request runs is a
 * 503 ({@link TransientDatabaseFailures}).
 * <p>
 * The database can fail after the request ran, when its answer is to be kept (or, after a 5xx, its key
 * released). The caller still gets the request's own answer, never a 500 in its place, and the write is
 * tried again in the background until the database takes it (at most {@value #MAX_DEFERRED} at a time per
 * instance, for at most the key's lifetime): a kept answer is then replayed, a released key runs again. Until
 * then a retry with the key is answered 409 with {@code Retry-After}, so a request that did its work is never
 * run twice. A write still waiting when the instance stops is lost, as after a crash: the key then answers 409
 * until it expires.
 */
public class IdempotencyKeyFilter extends OncePerRequestFilter {

	public static final String HEADER = "Idempotency-Key";

	private static final int MAX_KEY_LENGTH = 255;

	/**
	 * The statuses of a request refused before its operation did anything, which release the key as a 5xx does:
	 * before, a 400 was kept, and the corrected body's retry with the same key was answered 422, "used for a
	 * different request" (as Stripe, no idempotent result is kept when validation fails).
	 */
	static final Set<Integer> REFUSED_BEFORE_RUNNING = Set.of(400, 401, 403, 405, 406, 413, 415, 429);

	/** Writes waiting for the database, per instance; past that a key stays claimed until it expires. */
	static final int MAX_DEFERRED = 1_000;

	private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

	private static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

	private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyFilter.class);

	private final ScheduledExecutorService deferred = Executors.newSingleThreadScheduledExecutor(
			Thread.ofPlatform().name("idempotency-key-writes").daemon().factory());

	private final AtomicInteger deferredCount = new AtomicInteger();

	private final JdbcTemplate jdbc;

	private final ProblemResponses problems;

	private final TransientDatabaseFailures transientFailures;

	private final Duration ttl;

	private final String patientIdClaim;

	/**
	 * @param transientFailures answers a transient database failure of the filter's own as 503
	 * @param patientIdClaim the token claim that holds a patient's own id
	 */
	public IdempotencyKeyFilter(JdbcTemplate jdbc, ProblemResponses problems,
			TransientDatabaseFailures transientFailures, Duration ttl, String patientIdClaim) {
		this.jdbc = jdbc;
		this.problems = problems;
		this.transientFailures = transientFailures;
		this.ttl = ttl;
		this.patientIdClaim = patientIdClaim;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !"POST".equals(request.getMethod()) || request.getHeader(HEADER) == null
				|| !request.getRequestURI().startsWith("/api/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String key = request.getHeader(HEADER);
		if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
			this.problems.write(request, response, HttpStatus.BAD_REQUEST,
					HEADER + " must be 1 to " + MAX_KEY_LENGTH + " characters.");
			return;
		}
		byte[] body = StreamUtils.copyToByteArray(request.getInputStream());
		String principal = principal();
		// the raw body's hash, which an instance of the kit before the canonical fingerprint compares, and the
		// fingerprint, which compares a JSON body by what it says
		String hash = RequestFingerprint.legacyHash(request.getMethod(), request.getRequestURI(), body);
		String fingerprint = RequestFingerprint.of(request.getMethod(), request.getRequestURI(),
				request.getContentType(), body);
		try {
			this.jdbc.update("DELETE FROM idempotency_key WHERE principal = ? AND idem_key = ? AND expires_at < now()",
					principal, key);
			int claimed = this.jdbc.update("""
					INSERT INTO idempotency_key (principal, idem_key, method, path, request_hash, request_fingerprint,
					    expires_at)
					VALUES (?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?))
					ON CONFLICT DO NOTHING
					""", principal, key, request.getMethod(), request.getRequestURI(), hash, fingerprint,
					(double) this.ttl.toSeconds());
			if (claimed == 0) {
				answerFromStore(principal, key, hash, fingerprint, request, response);
				return;
			}
		}
		catch (DataAccessException ex) {
			// before the request runs, so nothing was done: the same 503 the advice gives a controller's failure
			TransientDatabaseFailures.Failure failure = TransientDatabaseFailures.classify(ex);
			if (failure == null) {
				throw ex;
			}
			this.transientFailures.write(request, response, this.problems, failure, ex);
			return;
		}
		ContentCachingResponseWrapper recorded = new ContentCachingResponseWrapper(response);
		boolean ran = false;
		try {
			chain.doFilter(new CachedBodyRequest(request, body), recorded);
			ran = true;
		}
		finally {
			settle(principal, key, recorded, ran);
			recorded.copyBodyToResponse();
		}
	}

	/**
	 * Keeps the answer of a request that ran, or releases the key of one that failed (a 5xx or an exception) or was
	 * refused before it ran ({@link #REFUSED_BEFORE_RUNNING}), now or, when the database fails, later.
	 */
	private void settle(String principal, String key, ContentCachingResponseWrapper recorded, boolean ran) {
		Runnable write;
		String what;
		if (ran && recorded.getStatus() < 500 && !REFUSED_BEFORE_RUNNING.contains(recorded.getStatus())) {
			int status = recorded.getStatus();
			byte[] answer = recorded.getContentAsByteArray();
			String contentType = recorded.getContentType();
			String location = recorded.getHeader("Location");
			write = () -> this.jdbc.update("""
					UPDATE idempotency_key SET status = ?, response_body = ?, content_type = ?, location = ?
					WHERE principal = ? AND idem_key = ?
					""", status, answer, contentType, location, principal, key);
			what = "keep the answer";
		}
		else {
			write = () -> this.jdbc.update("DELETE FROM idempotency_key WHERE principal = ? AND idem_key = ?",
					principal, key);
			what = "release the key";
		}
		try {
			write.run();
		}
		catch (DataAccessException ex) {
			defer(write, what, ex);
		}
	}

	private void defer(Runnable write, String what, DataAccessException failure) {
		if (this.deferredCount.incrementAndGet() > MAX_DEFERRED) {
			this.deferredCount.decrementAndGet();
			log.warn("Could not " + what + " of an " + HEADER + " request (" + failure.getClass().getSimpleName()
					+ ") and " + MAX_DEFERRED + " writes already wait: the key stays claimed until it expires");
			return;
		}
		log.warn("Could not " + what + " of an " + HEADER + " request (" + failure.getClass().getSimpleName()
				+ "); retrying in the background");
		long giveUpAt = System.nanoTime() + this.ttl.toNanos();
		schedule(write, what, FIRST_RETRY, giveUpAt);
	}

	private void schedule(Runnable write, String what, Duration delay, long giveUpAt) {
		try {
			this.deferred.schedule(() -> {
				try {
					write.run();
					this.deferredCount.decrementAndGet();
					log.info("The database answered again: could " + what + " of an " + HEADER + " request");
				}
				catch (RuntimeException ex) {
					if (System.nanoTime() - giveUpAt >= 0) {
						this.deferredCount.decrementAndGet();
						log.warn("Gave up trying to " + what + " of an " + HEADER + " request: the key has expired");
						return;
					}
					Duration next = delay.multipliedBy(2);
					schedule(write, what, (next.compareTo(LONGEST_RETRY) > 0) ? LONGEST_RETRY : next, giveUpAt);
				}
			}, delay.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// stopping: lost, as after a crash
			this.deferredCount.decrementAndGet();
		}
	}

	@Override
	public void destroy() {
		this.deferred.shutdownNow();
	}

	private void answerFromStore(String principal, String key, String hash, String fingerprint,
			HttpServletRequest request, HttpServletResponse response) throws IOException {
		List<Map<String, Object>> rows = this.jdbc.queryForList(
				"SELECT request_hash, request_fingerprint, status, response_body, content_type, location "
						+ "FROM idempotency_key WHERE principal = ? AND idem_key = ?",
				principal, key);
		if (rows.isEmpty()) {
			this.problems.write(request, response, HttpStatus.CONFLICT, "A request with this " + HEADER + " just finished; retry.");
			return;
		}
		Map<String, Object> row = rows.getFirst();
		// a row kept before the canonical fingerprint (or by an instance not yet upgraded) has the raw body's hash
		// only: compared as it was then, so a retry in flight across the upgrade is answered as before
		boolean same = (row.get("request_fingerprint") != null) ? fingerprint.equals(row.get("request_fingerprint"))
				: hash.equals(row.get("request_hash"));
		if (!same) {
			this.problems.write(request, response, HttpStatus.UNPROCESSABLE_CONTENT,
					"This " + HEADER + " was used for a different request.");
			return;
		}
		if (row.get("status") == null) {
			response.setHeader("Retry-After", "1");
			this.problems.write(request, response, HttpStatus.CONFLICT,
					"The first request with this " + HEADER + " is still in progress.");
			return;
		}
		response.setStatus((Integer) row.get("status"));
		if (row.get("content_type") != null) {
			response.setContentType((String) row.get("content_type"));
		}
		if (row.get("location") != null) {
			response.setHeader("Location", (String) row.get("location"));
		}
		response.setHeader("Idempotent-Replayed", "true");
		byte[] body = (byte[]) row.get("response_body");
		if (body != null) {
			response.getOutputStream().write(body);
		}
	}

	private String principal() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication == null) {
			return "anonymous";
		}
		if (authentication.getPrincipal() instanceof Jwt jwt) {
			String patientId = jwt.getClaimAsString(this.patientIdClaim);
			if (patientId != null) {
				return authentication.getName() + " " + this.patientIdClaim + "=" + patientId;
			}
		}
		return authentication.getName();
	}

	private static final class CachedBodyRequest extends HttpServletRequestWrapper {

		private final byte[] body;

		/** A form's fields, the query's first, as the servlet would have read them; null for another body. */
		private final @Nullable Map<String, String[]> formParameters;

		CachedBodyRequest(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
			this.formParameters = isForm(request) ? formParameters(request, body) : null;
		}

		private static boolean isForm(HttpServletRequest request) {
			try {
				return request.getContentType() != null && MediaType.APPLICATION_FORM_URLENCODED
					.includes(MediaType.parseMediaType(request.getContentType()));
			}
			catch (InvalidMediaTypeException ex) {
				return false;
			}
		}

		/**
		 * The servlet reads a form's fields from the body it has not read yet; this filter has read it (to
		 * fingerprint it), so the servlet now gives the query's parameters only, and the body's are read here.
		 */
		private static Map<String, String[]> formParameters(HttpServletRequest request, byte[] body) {
			Charset charset = (request.getCharacterEncoding() != null)
					? Charset.forName(request.getCharacterEncoding(), StandardCharsets.UTF_8) : StandardCharsets.UTF_8;
			Map<String, List<String>> fields = new LinkedHashMap<>();
			request.getParameterMap().forEach((name, values) -> fields.put(name, new ArrayList<>(List.of(values))));
			String form = new String(body, charset);
			for (String pair : form.split("&")) {
				if (pair.isEmpty()) {
					continue;
				}
				int equals = pair.indexOf('=');
				String name = URLDecoder.decode((equals < 0) ? pair : pair.substring(0, equals), charset);
				String value = (equals < 0) ? "" : URLDecoder.decode(pair.substring(equals + 1), charset);
				fields.computeIfAbsent(name, (n) -> new ArrayList<>()).add(value);
			}
			Map<String, String[]> parameters = new LinkedHashMap<>();
			fields.forEach((name, values) -> parameters.put(name, values.toArray(String[]::new)));
			return Collections.unmodifiableMap(parameters);
		}

		@Override
		public @Nullable String getParameter(String name) {
			if (this.formParameters == null) {
				return super.getParameter(name);
			}
			String[] values = this.formParameters.get(name);
			return (values != null) ? values[0] : null;
		}

		@Override
		public Map<String, String[]> getParameterMap() {
			return (this.formParameters != null) ? this.formParameters : super.getParameterMap();
		}

		@Override
		public Enumeration<String> getParameterNames() {
			return (this.formParameters != null) ? Collections.enumeration(this.formParameters.keySet())
					: super.getParameterNames();
		}

		@Override
		public String @Nullable [] getParameterValues(String name) {
			if (this.formParameters == null) {
				return super.getParameterValues(name);
			}
			String[] values = this.formParameters.get(name);
			return (values != null) ? values.clone() : null;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(this.body);
			return new ServletInputStream() {
				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] b, int off, int len) {
					return in.read(b, off, len);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException();
				}
			};
		}

		@Override
		public int getContentLength() {
			return this.body.length;
		}

		@Override
		public long getContentLengthLong() {
			return this.body.length;
		}

	}

}
