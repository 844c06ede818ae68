package org.patientplatform.notification.channels;

import java.net.URI;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The providers' settings ({@code notification.channels.*}): where each provider is, its
 * credentials and its timeouts. Defaults in {@code notification-service.yml} point at the
 * local stand-ins (module {@code provider-standins}).
 *
 * @param email SMTP
 * @param sms the Twilio-compatible Messages API
 * @param push FCM HTTP v1
 */
@ConfigurationProperties("notification.channels")
public record ChannelsProperties(Email email, Sms sms, Push push) {

	/**
	 * SMTP.
	 *
	 * @param host the SMTP server
	 * @param port its port
	 * @param from the sender address (RFC 5322 mailbox, e.g. {@code Lab <no-reply@lab.example>})
	 * @param username the SMTP user, or null for no authentication
	 * @param password the SMTP password
	 * @param startTls whether to require STARTTLS
	 * @param connectTimeout the connection timeout
	 * @param readTimeout the timeout of each read, including the answer to the message data
	 * @param writeTimeout the timeout of each write
	 */
	public record Email(String host, int port, String from, @Nullable String username, @Nullable String password,
			boolean startTls, Duration connectTimeout, Duration readTimeout, Duration writeTimeout) {

		@Override
		public String toString() {
			return "Email[host=" + this.host + ", port=" + this.port + "]";
		}

	}

	/**
	 * The Twilio-compatible Messages API.
	 *
	 * @param baseUrl the API base, e.g. {@code https://api.twilio.com}
	 * @param accountSid the account SID ({@code AC...}), the Basic auth user
	 * @param authToken the auth token: Basic auth password and the key of
	 * {@code X-Twilio-Signature}
	 * @param from the sending number (E.164), used when no messaging service is set
	 * @param messagingServiceSid a messaging service ({@code MG...}) to send from instead of
	 * {@code from}, or null
	 * @param statusCallbackBaseUrl this service's public base URL as Twilio reaches it; the
	 * status callback is this plus {@code /api/v1/notifications/webhooks/twilio/status}
	 * @param connectTimeout the connection timeout
	 * @param readTimeout how long to wait for the answer to a send before its outcome is
	 * unknown
	 */
	public record Sms(URI baseUrl, String accountSid, String authToken, String from,
			@Nullable String messagingServiceSid, URI statusCallbackBaseUrl, Duration connectTimeout,
			Duration readTimeout) {

		/** The path of the status webhook, under {@link #statusCallbackBaseUrl()}. */
		public static final String STATUS_CALLBACK_PATH = "/api/v1/notifications/webhooks/twilio/status";

		/** The path of the inbound message webhook, under {@link #statusCallbackBaseUrl()}. */
		public static final String INBOUND_PATH = "/api/v1/notifications/webhooks/twilio/inbound";

		/** The full status callback URL sent with each message. */
		public String statusCallbackUrl() {
			return stripSlash(this.statusCallbackBaseUrl.toString()) + STATUS_CALLBACK_PATH;
		}

		/** The full inbound message URL, as configured at the provider. */
		public String inboundUrl() {
			return stripSlash(this.statusCallbackBaseUrl.toString()) + INBOUND_PATH;
		}

		@Override
		public String toString() {
			return "Sms[baseUrl=" + this.baseUrl + ", accountSid=" + this.accountSid + "]";
		}

	}

	/**
	 * FCM HTTP v1.
	 *
	 * @param baseUrl the API base, e.g. {@code https://fcm.googleapis.com}
	 * @param projectId the Firebase project
	 * @param tokenUri the OAuth2 token endpoint of the service account, e.g.
	 * {@code https://oauth2.googleapis.com/token}
	 * @param clientEmail the service account's email (the JWT issuer)
	 * @param privateKey the service account's private key, PKCS#8 PEM; empty when push is
	 * not configured (every send is then rejected)
	 * @param connectTimeout the connection timeout
	 * @param readTimeout how long to wait for the answer to a send before its outcome is
	 * unknown
	 */
	public record Push(URI baseUrl, String projectId, URI tokenUri, String clientEmail, @Nullable String privateKey,
			Duration connectTimeout, Duration readTimeout) {

		@Override
		public String toString() {
			return "Push[baseUrl=" + this.baseUrl + ", projectId=" + this.projectId + "]";
		}

	}

	static String stripSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

}
