package org.patientplatform.notification.receipts;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.notification.channels.ChannelsProperties;
import org.patientplatform.notification.channels.TwilioSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The Twilio webhooks. No token: each request must carry the {@code X-Twilio-Signature}
 * Twilio computes with the account's auth token over the URL it was configured with (our
 * public URL, {@code notification.channels.sms.status-callback-base-url}) and the form
 * parameters; any other answers 403.
 */
@RestController
@ConditionalOnRole("app")
@Tag(name = "Provider webhooks", description = "Called by the providers; verified by their signatures, no token")
class TwilioWebhookEndpoint {

	private static final Logger log = LoggerFactory.getLogger(TwilioWebhookEndpoint.class);

	static final String SIGNATURE = "X-Twilio-Signature";

	/** How a webhook is authenticated, as the OpenAPI document says it (it names no token). */
	static final String SIGNATURE_DESCRIPTION = "No bearer token: the request is authenticated by this header, the "
			+ "base64 HMAC-SHA1, keyed with the Twilio account's auth token, of the URL Twilio was configured with "
			+ "(notification.channels.sms.status-callback-base-url and the path, with the query) followed by each "
			+ "form parameter's name and value, sorted by name. A request whose header is missing or does not "
			+ "match is answered 403.";

	private final TwilioWebhooks webhooks;

	private final ChannelsProperties channels;

	TwilioWebhookEndpoint(TwilioWebhooks webhooks, ChannelsProperties channels) {
		this.webhooks = webhooks;
		this.channels = channels;
	}

	// no bearer token (an empty list of requirements): the X-Twilio-Signature header is what proves the caller
	@SecurityRequirements
	@PostMapping(path = ChannelsProperties.Sms.STATUS_CALLBACK_PATH,
			consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
	@Operation(summary = "Twilio message status callback",
			description = "Relays delivered, read, failed, undelivered and canceled statuses to notification.status.v1 "
					+ "(canceled, a scheduled message canceled before its send, as undelivered); other statuses are "
					+ "acknowledged and dropped.",
			parameters = @Parameter(in = ParameterIn.HEADER, name = SIGNATURE, required = true,
					description = SIGNATURE_DESCRIPTION, schema = @Schema(type = "string")),
			responses = { @ApiResponse(responseCode = "204", description = "Received"),
					@ApiResponse(responseCode = "403", description = "The signature is missing or does not match",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))) })
	ResponseEntity<Void> status(HttpServletRequest request, @RequestHeader(name = SIGNATURE,
			required = false) @Nullable String signature) {
		Map<String, String> params = verified(request, this.channels.sms().statusCallbackUrl(), signature);
		this.webhooks.reportStatus(params);
		return ResponseEntity.noContent().build();
	}

	@SecurityRequirements
	@PostMapping(path = ChannelsProperties.Sms.INBOUND_PATH, consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
			produces = MediaType.APPLICATION_XML_VALUE)
	@Operation(summary = "Twilio inbound message",
			description = "STOP, STOPALL, UNSUBSCRIBE, CANCEL, END or QUIT opts the sender's number out of SMS at once; "
					+ "START, UNSTOP or YES opts it back in. Answers TwiML with the confirmation to text back; an "
					+ "empty Response for any other message, and for a MessageSid applied before (a retry or a "
					+ "replay changes nothing and is not confirmed twice).",
			parameters = @Parameter(in = ParameterIn.HEADER, name = SIGNATURE, required = true,
					description = SIGNATURE_DESCRIPTION, schema = @Schema(type = "string")),
			responses = { @ApiResponse(responseCode = "200", description = "TwiML"),
					@ApiResponse(responseCode = "403", description = "The signature is missing or does not match",
							content = @Content(mediaType = "application/problem+json",
									schema = @Schema(ref = "#/components/schemas/Problem"))) })
	ResponseEntity<String> inbound(HttpServletRequest request, @RequestHeader(name = SIGNATURE,
			required = false) @Nullable String signature) {
		Map<String, String> params = verified(request, this.channels.sms().inboundUrl(), signature);
		String twiml = this.webhooks.inbound(params.get("From"), params.get("Body"), params.get("MessageSid"))
			.map((text) -> "<Response><Message>" + xml(text) + "</Message></Response>")
			.orElse("<Response/>");
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_XML)
			.body("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + twiml);
	}

	/** XML character data; every other character (accents too) is UTF-8 as it is. */
	static String xml(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	/**
	 * The request's form parameters, once its signature proves Twilio sent them.
	 * @throws ErrorResponseException 403 otherwise
	 */
	private Map<String, String> verified(HttpServletRequest request, String configuredUrl,
			@Nullable String signature) {
		String query = request.getQueryString();
		Set<String> queryNames = new HashSet<>();
		if (query != null) {
			queryNames.addAll(UriComponentsBuilder.newInstance().query(query).build().getQueryParams().keySet());
		}
		// the signature covers the body's parameters; query parameters are part of the URL
		Map<String, String> params = new HashMap<>();
		request.getParameterMap().forEach((name, values) -> {
			if (!queryNames.contains(name) && values.length > 0) {
				params.put(name, values[0]);
			}
		});
		String url = (query != null) ? configuredUrl + "?" + query : configuredUrl;
		if (!TwilioSignature.isValid(this.channels.sms().authToken(), url, params, signature)) {
			log.warn("Refused a Twilio webhook to {} with a {} signature", request.getRequestURI(),
					(signature == null) ? "missing" : "wrong");
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN,
					"The " + SIGNATURE + " header does not match this request.");
			throw new ErrorResponseException(HttpStatus.FORBIDDEN, problem, null);
		}
		return params;
	}

}
