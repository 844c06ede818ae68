package org.patientplatform.notification.channels;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/** What the HTTP providers share: the client, {@code Retry-After} and transport failures. */
final class HttpProviders {

	private HttpProviders() {
	}

	static HttpClient client(URI baseUrl, Duration connectTimeout) {
		// HTTP/2 only where TLS negotiates it; a plain-HTTP stand-in speaks HTTP/1.1
		return HttpClient.newBuilder()
			.connectTimeout(connectTimeout)
			.version("https".equalsIgnoreCase(baseUrl.getScheme()) ? HttpClient.Version.HTTP_2
					: HttpClient.Version.HTTP_1_1)
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
	}

	/** The {@code Retry-After} of an answer, in seconds or as an HTTP date; null when absent. */
	static @Nullable Duration retryAfter(HttpResponse<?> response) {
		Optional<String> header = response.headers().firstValue("Retry-After");
		if (header.isEmpty() || header.get().isBlank()) {
			return null;
		}
		String value = header.get().trim();
		try {
			return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
		}
		catch (NumberFormatException ex) {
			try {
				Duration until = Duration.between(java.time.Instant.now(),
						ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
				return until.isNegative() ? Duration.ZERO : until;
			}
			catch (DateTimeParseException unreadable) {
				return null;
			}
		}
	}

	/**
	 * What a transport failure means for a send: nothing left this process when the
	 * connection was never made; otherwise the provider may have the message.
	 */
	static SendResult failure(String provider, Exception ex) {
		if (ex instanceof HttpConnectTimeoutException || ex instanceof ConnectException
				|| ex.getCause() instanceof ConnectException) {
			return new SendResult.RetryLater(provider + ": could not connect (" + ex.getClass().getSimpleName() + ")",
					null);
		}
		if (ex instanceof HttpTimeoutException) {
			return new SendResult.Unknown(provider + ": no answer before the read timeout");
		}
		return new SendResult.Unknown(provider + ": the call failed after it started (" + ex.getClass().getSimpleName()
				+ ")");
	}

}
