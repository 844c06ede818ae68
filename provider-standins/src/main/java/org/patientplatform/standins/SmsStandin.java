package org.patientplatform.standins;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import com.sun.net.httpserver.HttpExchange;
import org.jspecify.annotations.Nullable;
import org.patientplatform.standins.Faults.Fault;
import org.patientplatform.standins.Faults.PhoneOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import tools.jackson.databind.JsonNode;

/**
 * The Twilio-compatible SMS stand-in: the Messages resource of the 2010-04-01 REST API
 * (create, fetch, list with Twilio's filters and paging) with HTTP Basic authentication,
 * Twilio's JSON errors, status callbacks signed with {@code X-Twilio-Signature}, simulated
 * inbound messages posted to the application's webhook, and Twilio's built-in opt-out
 * keywords ({@code STOP} blocks later sends with error 21610 until {@code START}).
 * Twilio's test numbers answer as at Twilio: {@code +15005550001} invalid (21211),
 * {@code +15005550009} not a mobile (21614), {@code +15005550004} opted out (21610).
 * <p>
 * A message taken through the API goes {@code queued} (or {@code accepted}), {@code sent}, then its final status,
 * each {@code statusDelay} after the one before, counted from when it was taken. Started again on its journal, the
 * stand-in gives each message what Twilio's would have by then: a status whose time passed while it was down is
 * taken at once, without its callback (Twilio does not retry a callback nobody answered for long), and the ones
 * still to come follow at their time, with theirs.
 */
public final class SmsStandin {

	private static final Logger logger = LoggerFactory.getLogger(SmsStandin.class);

	static final String API = "/2010-04-01/Accounts/";

	private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");

	private static final Set<String> OPT_OUT_WORDS = Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
			"REVOKE", "OPTOUT");

	private static final Set<String> OPT_IN_WORDS = Set.of("START", "YES", "UNSTOP");

	private static final DateTimeFormatter RFC_2822 = DateTimeFormatter
		.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US)
		.withZone(ZoneOffset.UTC);

	private static final SecureRandom random = new SecureRandom();

	private final String accountSid;

	private final String authToken;

	private final String number;

	private final Faults faults;

	private final Duration statusDelay;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final ExecutorService lifecycles = Http.executor();

	// appended to at the rate of the sends (thousands a second in bench notification-e2e): a queue, not a
	// copy-on-write list, which would copy every message taken so far for each new one
	private final Queue<Resource> messages = new ConcurrentLinkedQueue<>();

	private final AtomicLong sentCount = new AtomicLong();

	private final Map<String, Resource> bySid = new ConcurrentHashMap<>();

	private final Set<String> optedOut = ConcurrentHashMap.newKeySet();

	private final Queue<StatusCallback> callbacks = new ConcurrentLinkedQueue<>();

	private final Queue<InboundSms> inbound = new ConcurrentLinkedQueue<>();

	private volatile @Nullable String inboundUrl;

	private final @Nullable SmsJournal journal;

	/** Orders the journal's writes against the console's reset, which clears it. */
	private final Object journalLock = new Object();

	/**
	 * @param journal the file that keeps the messages and opt-outs across restarts, or null to keep them in
	 * memory only
	 */
	SmsStandin(String accountSid, String authToken, String number, Faults faults, Duration statusDelay,
			@Nullable Path journal) throws IOException {
		this.accountSid = accountSid;
		this.authToken = authToken;
		this.number = number;
		this.faults = faults;
		this.statusDelay = statusDelay;
		if (journal == null) {
			this.journal = null;
			return;
		}
		SmsJournal.Loaded loaded = SmsJournal.open(journal);
		for (JsonNode state : loaded.messages()) {
			Resource message = Resource.restore(state);
			this.bySid.put(message.sid, message);
			this.messages.add(message);
			if (message.direction.equals("outbound-api")) {
				this.sentCount.incrementAndGet();
			}
		}
		this.optedOut.addAll(loaded.optedOut());
		this.journal = loaded.journal();
		Instant now = Instant.now();
		for (Resource message : this.messages) {
			if (message.direction.equals("outbound-api") && nextStep(message) != null) {
				catchUp(message, now);
				if (nextStep(message) != null) {
					this.lifecycles.execute(() -> lifecycle(message));
				}
			}
		}
	}

	void routes(Http.Router router) {
		router.on("POST", "/2010-04-01/Accounts/([^/]+)/Messages\\.json", this::create)
			.on("GET", "/2010-04-01/Accounts/([^/]+)/Messages\\.json", this::list)
			.on("GET", "/2010-04-01/Accounts/([^/]+)/Messages/([A-Za-z0-9]+)\\.json", this::fetch)
			.on("POST", "/standin/sms/inbound", this::simulateInbound);
	}

	/** The account SID the API answers to. */
	public String accountSid() {
		return this.accountSid;
	}

	/** The auth token: the Basic auth password and the key of the signatures. */
	public String authToken() {
		return this.authToken;
	}

	/** The stand-in's own number: the sender of messages and receiver of inbound ones. */
	public String number() {
		return this.number;
	}

	/** Where inbound messages are posted (the application's inbound webhook), or null. */
	public void inboundUrl(@Nullable String url) {
		this.inboundUrl = url;
	}

	/** Messages sent through the API, in the order they were taken. */
	public List<SentSms> sent() {
		return this.messages.stream().filter((m) -> m.direction.equals("outbound-api")).map(Resource::snapshot).toList();
	}

	/** How many messages were sent through the API (without copying them, unlike {@link #sent()}). */
	public long sentCount() {
		return this.sentCount.get();
	}

	/** Every message resource: sent, inbound and replies, in the order they were taken. */
	public List<SentSms> messages() {
		return this.messages.stream().map(Resource::snapshot).toList();
	}

	/** One message resource by SID. */
	public Optional<SentSms> message(String sid) {
		return Optional.ofNullable(this.bySid.get(sid)).map(Resource::snapshot);
	}

	/** The status callbacks made, in order. */
	public List<StatusCallback> callbacks() {
		return List.copyOf(this.callbacks);
	}

	/** The simulated inbound messages, in order. */
	public List<InboundSms> inbound() {
		return List.copyOf(this.inbound);
	}

	/** Whether the number sent an opt-out keyword (and no opt-in keyword since). */
	public boolean isOptedOut(String e164) {
		return this.optedOut.contains(e164);
	}

	/**
	 * Simulates a message from a phone: applies Twilio's opt-out keywords, posts it to the
	 * inbound webhook with its signature and records the TwiML reply.
	 */
	public InboundSms receive(String from, String body) {
		Resource message = new Resource(newSid(), "inbound", from, this.number, body, null, null, "received");
		message.dateSent = message.dateCreated;
		store(message);
		String keyword = body.trim().toUpperCase(Locale.ROOT);
		String optOutChange = null;
		String optOutType = null;
		if (OPT_OUT_WORDS.contains(keyword)) {
			this.optedOut.add(from);
			journalOptOut(from, true);
			optOutChange = "opted-out";
			optOutType = "STOP";
		}
		else if (OPT_IN_WORDS.contains(keyword)) {
			this.optedOut.remove(from);
			journalOptOut(from, false);
			optOutChange = "opted-in";
			optOutType = "START";
		}
		else if (keyword.equals("HELP") || keyword.equals("INFO")) {
			optOutType = "HELP";
		}
		int webhookStatus = 0;
		String reply = null;
		String url = this.inboundUrl;
		if (url != null) {
			Map<String, String> params = new LinkedHashMap<>();
			params.put("MessageSid", message.sid);
			params.put("SmsSid", message.sid);
			params.put("SmsMessageSid", message.sid);
			params.put("AccountSid", this.accountSid);
			params.put("From", from);
			params.put("To", this.number);
			params.put("Body", body);
			params.put("NumMedia", "0");
			params.put("NumSegments", Integer.toString(message.numSegments));
			params.put("SmsStatus", "received");
			params.put("ApiVersion", "2010-04-01");
			if (optOutType != null) {
				params.put("OptOutType", optOutType);
			}
			Posted posted = post(url, params);
			webhookStatus = posted.status();
			if (posted.status() >= 200 && posted.status() < 300) {
				List<String> replies = twimlMessages(posted.body());
				for (String text : replies) {
					Resource answer = new Resource(newSid(), "outbound-reply", this.number, from, text, null, null,
							"delivered");
					answer.dateSent = answer.dateCreated;
					store(answer);
				}
				reply = replies.isEmpty() ? null : String.join("\n", replies);
			}
		}
		InboundSms received = new InboundSms(message.sid, from, this.number, body, webhookStatus, reply, optOutChange,
				message.dateCreated);
		this.inbound.add(received);
		return received;
	}

	void reset() {
		synchronized (this.journalLock) {
			this.messages.clear();
			this.sentCount.set(0);
			this.bySid.clear();
			this.optedOut.clear();
			this.callbacks.clear();
			this.inbound.clear();
			if (this.journal != null) {
				this.journal.clear();
			}
		}
	}

	void close() {
		this.lifecycles.shutdownNow();
		this.client.close();
		if (this.journal != null) {
			this.journal.close();
		}
	}

	private void create(HttpExchange exchange, Matcher path) throws IOException {
		if (!authenticated(exchange, path.group(1))) {
			return;
		}
		Map<String, String> params = Http.form(Http.body(exchange));
		Fault fault = this.faults.take(Faults.Target.SMS);
		if (fault != null && fault.kind() == Faults.Kind.ERROR) {
			error(exchange, 500, 20500, "Internal Server Error");
			return;
		}
		if (fault != null && fault.kind() == Faults.Kind.THROTTLE) {
			exchange.getResponseHeaders().set("Retry-After", Integer.toString(fault.retryAfterSeconds()));
			error(exchange, 429, 20429, "Too Many Requests");
			return;
		}
		String to = params.get("To");
		String from = params.get("From");
		String service = params.get("MessagingServiceSid");
		String body = params.get("Body");
		if (to == null || to.isBlank()) {
			error(exchange, 400, 21604, "A 'To' phone number is required.");
			return;
		}
		if (!E164.matcher(to).matches() || to.equals("+15005550001")) {
			error(exchange, 400, 21211, "Invalid 'To' Phone Number: " + to);
			return;
		}
		if (to.equals("+15005550009")) {
			error(exchange, 400, 21614, "'To' number is not a valid mobile number");
			return;
		}
		if ((from == null || from.isBlank()) && (service == null || service.isBlank())) {
			error(exchange, 400, 21603, "A 'From' phone number is required.");
			return;
		}
		if (body == null || body.isEmpty()) {
			error(exchange, 400, 21602, "Message body is required.");
			return;
		}
		if (body.length() > 1600) {
			error(exchange, 400, 21617, "The concatenated message body exceeds the 1600 character limit.");
			return;
		}
		if (this.optedOut.contains(to) || to.equals("+15005550004")) {
			error(exchange, 400, 21610, "Attempt to send to unsubscribed recipient");
			return;
		}
		if (fault != null && fault.kind() == Faults.Kind.REJECT) {
			error(exchange, 400, 21408,
					"Permission to send an SMS has not been enabled for the region indicated by the 'To' number: " + to);
			return;
		}
		boolean viaService = (from == null || from.isBlank());
		Resource message = new Resource(newSid(), "outbound-api", viaService ? null : from, to, body,
				viaService ? service : null, params.get("StatusCallback"), viaService ? "accepted" : "queued");
		message.outcome = this.faults.outcome(to);
		store(message);
		this.sentCount.incrementAndGet();
		this.lifecycles.execute(() -> lifecycle(message));
		if (fault != null && fault.kind() == Faults.Kind.DELAY) {
			Http.pause(fault.delay().toMillis());
		}
		Http.json(exchange, 201, message.json(this.accountSid));
	}

	private void fetch(HttpExchange exchange, Matcher path) throws IOException {
		if (!authenticated(exchange, path.group(1))) {
			return;
		}
		if (this.faults.takeSmsFetchFault()) {
			error(exchange, 500, 20500, "Internal Server Error");
			return;
		}
		Resource message = this.bySid.get(path.group(2));
		if (message == null) {
			error(exchange, 404, 20404, "The requested resource " + exchange.getRequestURI().getPath() + " was not found");
			return;
		}
		Http.json(exchange, 200, message.json(this.accountSid));
	}

	private void list(HttpExchange exchange, Matcher path) throws IOException {
		if (!authenticated(exchange, path.group(1))) {
			return;
		}
		Map<String, String> query = Http.query(exchange);
		Instant sentFrom;
		Instant sentBefore;
		try {
			sentFrom = bound(query.get("DateSent>"), false);
			sentBefore = bound(query.get("DateSent<"), true);
			String on = query.get("DateSent");
			if (on != null) {
				sentFrom = bound(on, false);
				sentBefore = bound(on, true);
			}
		}
		catch (DateTimeParseException ex) {
			error(exchange, 400, 20001, "Invalid DateSent filter");
			return;
		}
		String to = query.get("To");
		String from = query.get("From");
		int pageSize = Math.clamp(Integer.parseInt(query.getOrDefault("PageSize", "50")), 1, 1000);
		int page = Math.max(0, Integer.parseInt(query.getOrDefault("Page", "0")));
		Instant lower = sentFrom;
		Instant upper = sentBefore;
		List<Resource> matching = new ArrayList<>();
		for (Resource message : this.messages) {
			Instant sent = message.dateSent;
			if ((to != null && !to.equals(message.to)) || (from != null && !from.equals(message.from))) {
				continue;
			}
			if ((lower != null || upper != null) && sent == null) {
				continue; // like Twilio: a message not sent yet has no date_sent to filter on
			}
			if ((lower != null && sent.isBefore(lower)) || (upper != null && !sent.isBefore(upper))) {
				continue;
			}
			matching.add(message);
		}
		matching.sort(Comparator.comparing((Resource m) -> m.dateCreated).reversed());
		int start = page * pageSize;
		List<Resource> slice = (start >= matching.size()) ? List.of()
				: matching.subList(start, Math.min(matching.size(), start + pageSize));
		Map<String, String> filters = new LinkedHashMap<>(query);
		filters.remove("Page");
		filters.remove("PageToken");
		filters.put("PageSize", Integer.toString(pageSize));
		String base = API + this.accountSid + "/Messages.json?";
		String uri = base + Http.formEncode(withPage(filters, page, null));
		String next = (start + pageSize < matching.size())
				? base + Http.formEncode(withPage(filters, page + 1, "PA" + slice.get(slice.size() - 1).sid)) : null;
		String previous = (page > 0) ? base + Http.formEncode(withPage(filters, page - 1, null)) : null;
		Http.json(exchange, 200,
				Http.map("end", Math.max(start, start + slice.size() - 1), "first_page_uri",
						base + Http.formEncode(withPage(filters, 0, null)), "messages",
						slice.stream().map((m) -> m.json(this.accountSid)).toList(), "next_page_uri", next, "page", page,
						"page_size", pageSize, "previous_page_uri", previous, "start", start, "uri", uri));
	}

	private void simulateInbound(HttpExchange exchange, Matcher path) throws IOException {
		Map<String, String> params = new LinkedHashMap<>(Http.query(exchange));
		String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
		String body = Http.body(exchange);
		if (contentType != null && contentType.startsWith("application/json")) {
			Http.JSON.readValue(body, Map.class).forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
		}
		else {
			params.putAll(Http.form(body));
		}
		String from = params.get("From");
		String text = params.get("Body");
		if (from == null || text == null || !E164.matcher(from).matches()) {
			Http.json(exchange, 400, Http.map("message", "From (E.164) and Body are required"));
			return;
		}
		Http.json(exchange, 200, receive(from, text));
	}

	/** Takes the message through its statuses, each at its time, each with its callback. */
	private void lifecycle(Resource message) {
		for (Step step = nextStep(message); step != null; step = nextStep(message)) {
			Http.pause(Duration.between(Instant.now(), step.at()).toMillis());
			if (Thread.currentThread().isInterrupted()) {
				return; // closed: no more statuses, no callbacks
			}
			take(message, step, Instant.now());
			callback(message);
		}
	}

	/**
	 * Gives a message restored from the journal the statuses whose time passed while the stand-in was down, dated
	 * when they were due, without their callbacks: a message Twilio took reaches its final status whether or not
	 * anyone listens, and whoever missed the callbacks asks for it ({@code GET …/Messages/{Sid}.json}).
	 */
	private void catchUp(Resource message, Instant now) {
		for (Step step = nextStep(message); step != null && !step.at().isAfter(now); step = nextStep(message)) {
			take(message, step, step.at());
		}
	}

	/** The next status of a message taken through the API and when it is due; null once it has its last. */
	private @Nullable Step nextStep(Resource message) {
		Instant sentAt = message.dateCreated.plus(this.statusDelay);
		return switch (message.status) {
			case "queued", "accepted" -> switch (message.outcome) {
				case FAILED -> new Step("failed", 30008, sentAt);
				case CANCELED -> new Step("canceled", null, sentAt);
				case DELIVERED, UNDELIVERED, SENT -> new Step("sent", null, sentAt);
			};
			case "sent" -> switch (message.outcome) {
				case DELIVERED -> new Step("delivered", null, sentAt.plus(this.statusDelay));
				case UNDELIVERED -> new Step("undelivered", 30003, sentAt.plus(this.statusDelay));
				case FAILED, CANCELED, SENT -> null;
			};
			default -> null;
		};
	}

	private void take(Resource message, Step step, Instant at) {
		if (message.from == null) {
			message.from = this.number; // the messaging service picked its sender
		}
		message.advance(step.status(), step.errorCode(), at);
		if (this.journal != null) {
			synchronized (this.journalLock) {
				// a message the console's reset forgot while its statuses were still to come stays forgotten
				if (this.bySid.get(message.sid) == message) {
					this.journal.message(message.state());
				}
			}
		}
	}

	/** A status a message is to take, with its error code, and when. */
	private record Step(String status, @Nullable Integer errorCode, Instant at) {
	}

	private void journalOptOut(String from, boolean out) {
		if (this.journal != null) {
			this.journal.optOut(from, out);
		}
	}

	private void callback(Resource message) {
		String url = message.statusCallback;
		if (url == null || url.isBlank()) {
			return;
		}
		Map<String, String> params = new LinkedHashMap<>();
		params.put("AccountSid", this.accountSid);
		params.put("ApiVersion", "2010-04-01");
		params.put("From", message.from);
		params.put("MessageSid", message.sid);
		params.put("MessageStatus", message.status);
		params.put("SmsSid", message.sid);
		params.put("SmsStatus", message.status);
		params.put("To", message.to);
		if (message.messagingServiceSid != null) {
			params.put("MessagingServiceSid", message.messagingServiceSid);
		}
		if (message.errorCode != null) {
			params.put("ErrorCode", message.errorCode.toString());
		}
		Posted posted = post(url, params);
		this.callbacks.add(new StatusCallback(message.sid, message.status, url, Map.copyOf(params), posted.signature(),
				posted.status(), Instant.now()));
	}

	private record Posted(int status, String body, String signature) {
	}

	private Posted post(String url, Map<String, String> params) {
		String signature = TwilioRequestSignature.of(this.authToken, url, params);
		try {
			HttpRequest request = HttpRequest.newBuilder(URI.create(url))
				.timeout(Duration.ofSeconds(15))
				.header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
				.header("X-Twilio-Signature", signature)
				.header("I-Twilio-Idempotency-Token", newSid())
				.header("User-Agent", "TwilioProxy/1.1")
				.POST(HttpRequest.BodyPublishers.ofString(Http.formEncode(params)))
				.build();
			HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
			return new Posted(response.statusCode(), response.body(), signature);
		}
		catch (IOException | IllegalArgumentException ex) {
			logger.warn("SMS stand-in could not post to the webhook: {}", ex.toString());
			return new Posted(-1, "", signature);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new Posted(-1, "", signature);
		}
	}

	private boolean authenticated(HttpExchange exchange, String pathAccount) throws IOException {
		String[] credentials = Http.basicAuth(exchange);
		if (credentials == null || !credentials[0].equals(this.accountSid) || !credentials[1].equals(this.authToken)) {
			exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Twilio API\"");
			error(exchange, 401, 20003, "Authenticate");
			return false;
		}
		if (!pathAccount.equals(this.accountSid)) {
			error(exchange, 404, 20404, "The requested resource " + exchange.getRequestURI().getPath() + " was not found");
			return false;
		}
		return true;
	}

	private static void error(HttpExchange exchange, int status, int code, String message) throws IOException {
		Http.json(exchange, status, Http.map("code", code, "message", message, "more_info",
				"https://www.twilio.com/docs/errors/" + code, "status", status));
	}

	private static @Nullable Instant bound(@Nullable String value, boolean upper) {
		if (value == null || value.isBlank()) {
			return null;
		}
		if (value.length() == 10) {
			LocalDate day = LocalDate.parse(value);
			return (upper ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
		}
		Instant at = OffsetDateTime.parse(value).toInstant();
		return upper ? at.plusNanos(1) : at;
	}

	private static Map<String, String> withPage(Map<String, String> filters, int page, @Nullable String token) {
		Map<String, String> params = new LinkedHashMap<>(filters);
		params.put("Page", Integer.toString(page));
		if (token != null) {
			params.put("PageToken", token);
		}
		return params;
	}

	static List<String> twimlMessages(String twiml) {
		if (twiml.isBlank()) {
			return List.of();
		}
		try {
			DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
			factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
			factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
			factory.setExpandEntityReferences(false);
			Document document = factory.newDocumentBuilder()
				.parse(new ByteArrayInputStream(twiml.getBytes(StandardCharsets.UTF_8)));
			NodeList nodes = document.getElementsByTagName("Message");
			List<String> texts = new ArrayList<>();
			for (int i = 0; i < nodes.getLength(); i++) {
				texts.add(nodes.item(i).getTextContent().trim());
			}
			return texts;
		}
		catch (Exception ex) {
			logger.warn("SMS stand-in got a webhook answer that is not TwiML: {}", ex.toString());
			return List.of();
		}
	}

	private void store(Resource message) {
		synchronized (this.journalLock) {
			if (this.journal != null) {
				this.journal.message(message.state());
			}
			this.bySid.put(message.sid, message);
			this.messages.add(message);
		}
	}

	static String newSid() {
		byte[] bytes = new byte[16];
		random.nextBytes(bytes);
		return "SM" + HexFormat.of().formatHex(bytes);
	}

	static @Nullable String rfc2822(@Nullable Instant at) {
		return (at != null) ? RFC_2822.format(at) : null;
	}

	/** Twilio's description of an error code the stand-in gives a message, as its Message resource carries it. */
	static @Nullable String errorMessage(@Nullable Integer errorCode) {
		if (errorCode == null) {
			return null;
		}
		return switch (errorCode) {
			case 30003 -> "Unreachable destination handset";
			case 30008 -> "Unknown error";
			default -> null;
		};
	}

	/** A message resource; its status changes as it goes. */
	private static final class Resource {

		final String sid;

		final String direction;

		volatile @Nullable String from;

		final String to;

		final String body;

		final @Nullable String messagingServiceSid;

		final @Nullable String statusCallback;

		final int numSegments;

		final Instant dateCreated;

		volatile Instant dateUpdated;

		volatile @Nullable Instant dateSent;

		volatile String status;

		volatile @Nullable Integer errorCode;

		/** How a message taken through the API ends, decided as it is taken (the phone's outcome then). */
		volatile PhoneOutcome outcome = PhoneOutcome.DELIVERED;

		Resource(String sid, String direction, @Nullable String from, String to, String body,
				@Nullable String messagingServiceSid, @Nullable String statusCallback, String status) {
			this(sid, direction, from, to, body, messagingServiceSid, statusCallback, status, Instant.now());
		}

		/** A message as the journal kept it. */
		static Resource restore(JsonNode state) {
			Resource message = new Resource(state.path("sid").asString(), state.path("direction").asString(),
					text(state, "from"), state.path("to").asString(), state.path("body").asString(),
					text(state, "messagingServiceSid"), text(state, "statusCallback"), state.path("status").asString(),
					Instant.parse(state.path("dateCreated").asString()));
			message.dateUpdated = Instant.parse(state.path("dateUpdated").asString());
			String dateSent = text(state, "dateSent");
			message.dateSent = (dateSent != null) ? Instant.parse(dateSent) : null;
			message.errorCode = state.hasNonNull("errorCode") ? state.path("errorCode").asInt() : null;
			// a journal written before the outcome was kept: the default
			String outcome = text(state, "outcome");
			message.outcome = (outcome != null) ? PhoneOutcome.valueOf(outcome) : PhoneOutcome.DELIVERED;
			return message;
		}

		private Resource(String sid, String direction, @Nullable String from, String to, String body,
				@Nullable String messagingServiceSid, @Nullable String statusCallback, String status,
				Instant dateCreated) {
			this.sid = sid;
			this.direction = direction;
			this.from = from;
			this.to = to;
			this.body = body;
			this.messagingServiceSid = messagingServiceSid;
			this.statusCallback = statusCallback;
			this.numSegments = SegmentCount.of(body);
			this.status = status;
			this.dateCreated = dateCreated;
			this.dateUpdated = dateCreated;
		}

		private static @Nullable String text(JsonNode state, String field) {
			return state.hasNonNull(field) ? state.path(field).asString() : null;
		}

		/** What the journal keeps of it. */
		synchronized Map<String, @Nullable Object> state() {
			Map<String, @Nullable Object> state = new LinkedHashMap<>();
			state.put("sid", this.sid);
			state.put("direction", this.direction);
			state.put("from", this.from);
			state.put("to", this.to);
			state.put("body", this.body);
			state.put("messagingServiceSid", this.messagingServiceSid);
			state.put("statusCallback", this.statusCallback);
			state.put("status", this.status);
			state.put("errorCode", this.errorCode);
			state.put("dateCreated", this.dateCreated.toString());
			state.put("dateUpdated", this.dateUpdated.toString());
			state.put("dateSent", (this.dateSent != null) ? this.dateSent.toString() : null);
			state.put("outcome", this.outcome.name());
			return state;
		}

		synchronized void advance(String status, @Nullable Integer errorCode, Instant at) {
			if (this.dateSent == null) {
				this.dateSent = at;
			}
			this.status = status;
			this.errorCode = errorCode;
			this.dateUpdated = at;
		}

		synchronized SentSms snapshot() {
			return new SentSms(this.sid, this.direction, this.from, this.to, this.body, this.numSegments, this.status,
					this.errorCode, this.statusCallback, this.dateCreated, this.dateSent);
		}

		synchronized Map<String, @Nullable Object> json(String accountSid) {
			String uri = API + accountSid + "/Messages/" + this.sid;
			return Http.map("account_sid", accountSid, "api_version", "2010-04-01", "body", this.body, "date_created",
					rfc2822(this.dateCreated), "date_sent", rfc2822(this.dateSent), "date_updated",
					rfc2822(this.dateUpdated), "direction", this.direction, "error_code", this.errorCode,
					"error_message", errorMessage(this.errorCode), "from", this.from, "messaging_service_sid", this.messagingServiceSid,
					"num_media", "0", "num_segments", Integer.toString(this.numSegments), "price", null, "price_unit",
					"USD", "sid", this.sid, "status", this.status, "subresource_uris",
					Map.of("media", uri + "/Media.json", "feedback", uri + "/Feedback.json"), "to", this.to, "uri",
					uri + ".json");
		}

	}

}
