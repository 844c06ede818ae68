package org.patientplatform.kit.kafka;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class RedriveOutcomeContractTests {

	JsonMapper json = JsonMapper.builder().findAndAddModules().build();

	@Test
	void mapsTheDocumentedJsonAndWritesItBackUnchanged() throws Exception {
		String documented = Files.readString(Path.of("..", "docs", "events", RedriveOutcome.TYPE + ".json"));
		RedriveOutcome outcome = this.json.readValue(documented, RedriveOutcome.class);
		assertThat(outcome.outcome()).isEqualTo(RedriveOutcome.FAILED);
		assertThat(outcome.offset()).isEqualTo(1842L);

		JsonNode written = this.json.readTree(this.json.writeValueAsString(outcome));
		assertThat(written).isEqualTo(this.json.readTree(documented));
	}

}
