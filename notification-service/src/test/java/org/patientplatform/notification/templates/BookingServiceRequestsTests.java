package org.patientplatform.notification.templates;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.patientplatform.notification.delivery.Channel;
import org.patientplatform.notification.requests.NotificationCancelled;
import org.patientplatform.notification.requests.NotificationRequested;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The booking service's requests, as documented in
 * {@code docs/events/notification.NotificationRequested.v1.booking-*.json} (the booking service's own tests
 * check that it writes exactly these): each is a valid NotificationRequested whose type has templates on every
 * channel, gives every parameter those templates show, and renders them in English and Spanish.
 */
class BookingServiceRequestsTests {

	final JsonMapper json = JsonMapper.builder().build();

	final MustacheMessageTemplates templates = new MustacheMessageTemplates();

	@ParameterizedTest
	@ValueSource(strings = { "booking-confirmed", "booking-cancelled" })
	void acceptsAndRendersTheBookingServicesRequest(String type) throws Exception {
		NotificationRequested request = this.json.readValue(Files.readString(
				Path.of("..", "docs", "events", NotificationRequested.TYPE + "." + type + ".json")),
				NotificationRequested.class);
		try (ValidatorFactory validation = Validation.buildDefaultValidatorFactory()) {
			assertThat(validation.getValidator().validate(request)).isEmpty();
		}
		assertThat(request.type()).isEqualTo(type);
		assertThat(request.idempotencyKey()).startsWith("booking:").endsWith(type.substring("booking-".length()));
		assertThat(request.channels()).isNull();
		assertThat(request.priority()).isNull();
		assertThat(request.notBefore()).isNull();
		assertThatNoException().isThrownBy(() -> this.templates.requireParameters(type, request.parameters()));

		Map<String, String> parameters = new HashMap<>(request.parameters());
		parameters.put("portalUrl", "https://portal.lab.example/bookings");
		for (Channel channel : Channel.values()) {
			assertThat(this.templates.exists(type, channel)).as("%s on %s", type, channel).isTrue();
			for (String language : List.of("en", "es")) {
				RenderedMessage message = this.templates.render(type, channel, language, parameters);
				assertThat(message.text()).as("%s %s %s", type, channel, language)
					.contains(request.parameters().get("siteName"))
					.contains(request.parameters().get("startsAt"))
					.doesNotContain("{{");
			}
		}

		Map<String, String> withoutStart = new HashMap<>(request.parameters());
		withoutStart.remove("startsAt");
		assertThatExceptionOfType(MissingParametersException.class)
			.isThrownBy(() -> this.templates.requireParameters(type, withoutStart));
	}

	@Test
	void acceptsTheBookingServicesWithdrawalOfAConfirmation() throws Exception {
		NotificationCancelled withdrawal = this.json.readValue(Files.readString(
				Path.of("..", "docs", "events", NotificationCancelled.TYPE + ".booking-confirmed.json")),
				NotificationCancelled.class);
		try (ValidatorFactory validation = Validation.buildDefaultValidatorFactory()) {
			assertThat(validation.getValidator().validate(withdrawal)).isEmpty();
		}
		// the key of the booking service's confirmation request, which it withdraws
		NotificationRequested confirmation = this.json.readValue(Files.readString(
				Path.of("..", "docs", "events", NotificationRequested.TYPE + ".booking-confirmed.json")),
				NotificationRequested.class);
		assertThat(withdrawal.idempotencyKey()).isEqualTo(confirmation.idempotencyKey());
		assertThat(withdrawal.patientId()).isEqualTo(confirmation.patientId());
	}

}
