package org.patientplatform.dlq;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.patientplatform.kit.kafka.RedriveOutcome;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The events the DLQ service consumes match their documented examples in docs/events (the outcome's
 * record is the kit's, shared with every origin service).
 */
class EventContractTests {

	@Test
	void readsAndWritesTheRedriveOutcomeExample() throws Exception {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
			.run((context) -> {
				JsonMapper json = context.getBean(JsonMapper.class);
				String example = Files.readString(Path.of("..", "docs", "events", RedriveOutcome.TYPE + ".json"));
				RedriveOutcome outcome = json.readValue(example, RedriveOutcome.class);
				assertThat(outcome.outcome()).isIn(RedriveOutcome.SUCCEEDED, RedriveOutcome.FAILED);
				assertThat(java.util.UUID.fromString(outcome.entryId())).isNotNull();
				JsonNode written = json.readTree(json.writeValueAsString(outcome));
				assertThat(written).isEqualTo(json.readTree(example));
			});
	}

}
