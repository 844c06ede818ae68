package org.patientplatform.booking.bookings;

import java.time.ZoneId;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The booking service's settings.
 *
 * @param topics the topics it reads and writes
 * @param consumer the consumer of {@code booking.events.v1}
 * @param notifications what the notifications it asks for show
 */
@ConfigurationProperties("booking")
@Validated
record BookingProperties(@Valid Topics topics, @Valid Consumer consumer,
		@Valid @DefaultValue Notifications notifications) {

	/**
	 * @param events the booking events topic, {@code booking.events.v1}
	 * @param notificationRequests the notification service's requests topic, {@code notification.requests.v1}
	 */
	record Topics(@NotBlank String events, @NotBlank String notificationRequests) {
	}

	/**
	 * @param groupId {@code <service>.<role>}: the failure path reads the role from it
	 * @param concurrency consumer threads per process
	 */
	record Consumer(@NotBlank String groupId, @Min(1) int concurrency) {
	}

	/**
	 * @param timeZone the zone a slot's start is written in ({@code startsAt}, e.g. {@code 2026-03-09 09:30 UTC})
	 * @param siteNames the name a patient knows each site by ({@code siteName}), by site id; a site without one
	 * is named by its id
	 */
	record Notifications(@NotNull @DefaultValue("UTC") ZoneId timeZone, Map<String, String> siteNames) {

		Notifications {
			siteNames = (siteNames != null) ? Map.copyOf(siteNames) : Map.of();
		}

		String siteName(String siteId) {
			String name = this.siteNames.get(siteId);
			return (name != null && !name.isBlank()) ? name : siteId;
		}

	}

}
