package org.patientplatform.kit.internal;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.patientplatform.kit.kafka.KafkaHealthIndicator;
import org.patientplatform.kit.roles.PlatformRoles;

import tools.jackson.core.StreamReadFeature;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Wires the kit into a service: its roles, the kit's own schema, the Kafka health indicator.
 */
@AutoConfiguration
class PlatformKitAutoConfiguration {

	@Bean
	PlatformRoles platformRoles(Environment environment) {
		return PlatformRoles.from(environment);
	}

	/**
	 * Migrates the kit's tables (outbox, jobs, processed messages, audit) with their own history table
	 * before the service's migrations, so the kit and the services version their schemas independently.
	 */
	@Bean
	FlywayMigrationStrategy platformKitMigrationStrategy() {
		return (serviceFlyway) -> {
			DataSource dataSource = serviceFlyway.getConfiguration().getDataSource();
			Flyway.configure()
				.dataSource(dataSource)
				.locations("classpath:db/platform-kit")
				.table("platform_kit_schema_history")
				.baselineOnMigrate(true)
				.baselineVersion("0")
				.load()
				.migrate();
			serviceFlyway.migrate();
		};
	}

	/**
	 * A JSON object that names a field twice is refused wherever the application's mapper reads it: a request body
	 * (400 naming the field), an event's data (an invalid record, dead-lettered with the reason). Jackson would keep
	 * the last one, and a client or a producer that sent two values would never learn which one counted.
	 */
	@Bean
	JsonMapperBuilderCustomizer platformDuplicateFieldsRefused() {
		return (builder) -> builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
	}

	@Bean(name = "kafkaHealthIndicator")
	KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin kafkaAdmin) {
		return new KafkaHealthIndicator(kafkaAdmin);
	}

}
