package org.patientplatform.dlq;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.core.KafkaAdmin;

/**
 * A Kafka {@link Admin} client made on first use from the application's Kafka settings, with its own client id, and
 * closed with its owner: for the components that ask the broker about consumer groups (the capture's lag, the
 * offsets that settle a redrive nobody reports on).
 */
public final class LazyAdmin implements AutoCloseable {

	private final KafkaAdmin kafkaAdmin;

	private final String clientId;

	private @Nullable Admin admin;

	public LazyAdmin(KafkaAdmin kafkaAdmin, String clientId) {
		this.kafkaAdmin = kafkaAdmin;
		this.clientId = clientId;
	}

	public synchronized Admin get() {
		if (this.admin == null) {
			Map<String, Object> config = new HashMap<>(this.kafkaAdmin.getConfigurationProperties());
			config.put("client.id", this.clientId);
			this.admin = Admin.create(config);
		}
		return this.admin;
	}

	@Override
	public synchronized void close() {
		if (this.admin != null) {
			this.admin.close(Duration.ofSeconds(5));
			this.admin = null;
		}
	}

}
