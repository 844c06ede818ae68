package org.patientplatform.notification.contacts;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The contact projection's settings.
 *
 * @param consumerGroup the group of the projection's listener
 * ({@code <service>.<role>.contacts})
 * @param defaultRegion the region (ISO 3166 code) of phone numbers written without a
 * country code
 * @param defaultChannels the channels a patient is reached on until they state their
 * preferences
 */
@ConfigurationProperties("notification.contacts")
record ContactsProperties(String consumerGroup, String defaultRegion, ChannelPreferences defaultChannels) {
}
