package org.patientplatform.notification.receipts;

import org.patientplatform.kit.roles.ConditionalOnRole;
import org.patientplatform.notification.channels.ChannelsProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The provider webhooks carry no token: a provider cannot get one. Exactly these two
 * paths skip the kit's token chain (this chain comes first); each request is verified by
 * its provider signature in the endpoint instead, and refused with 403 otherwise.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole("app")
class WebhookSecurityConfiguration {

	@Bean
	@Order(5)
	SecurityFilterChain providerWebhooks(HttpSecurity http) throws Exception {
		return http.securityMatcher(ChannelsProperties.Sms.STATUS_CALLBACK_PATH, ChannelsProperties.Sms.INBOUND_PATH)
			.authorizeHttpRequests((authorize) -> authorize.anyRequest().permitAll())
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.build();
	}

}
