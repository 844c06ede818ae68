package org.patientplatform.notification.contacts;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The contact projection's settings.
 *
 * @param consumerGroup the group of the projection's listener
 * ({@code <service>.<role>.contacts})
 * @param defaultRegion the region (ISO 3166 code) of phone numbers written without a
 * country code
 * @param defaultChannels the channels a patient is reached on until they state their
 * preferences
 * @param maxPushDevices how many devices a patient keeps registered for push; registering
 * one more drops the oldest
 */
@ConfigurationProperties("notification.contacts")
@Validated
record ContactsProperties(String consumerGroup, String defaultRegion, ChannelPreferences defaultChannels,
		@DefaultValue("10") @Min(1) @Max(100) int maxPushDevices) {
}
