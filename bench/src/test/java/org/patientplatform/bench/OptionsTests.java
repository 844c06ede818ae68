package org.patientplatform.bench;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class OptionsTests {

	@Test
	void expandsAllToEveryBenchmarkInOrder() {
		assertThat(Options.parse("all").benchmarks()).containsExactlyElementsOf(Benchmarks.NAMES);
	}

	@Test
	void runsTheJobLibrariesOnlyWhenNamed() {
		assertThat(Options.parse("all").benchmarks()).doesNotContain(JobLibrariesBenchmark.NAME);
		assertThat(Options.parse("job-libraries").benchmarks()).containsExactly(JobLibrariesBenchmark.NAME);
	}

	@Test
	void runsTheNewBenchmarksInAll() {
		assertThat(Options.parse("all").benchmarks()).contains(DlqRedriveBenchmark.NAME, FailurePathBenchmark.NAME,
				DlqSearchBenchmark.NAME, ApiLatencyBenchmark.NAME);
	}

	@Test
	void runsNotificationEndToEndInAllAndByName() {
		assertThat(Options.parse("all").benchmarks()).contains(NotificationE2eBenchmark.NAME);
		assertThat(Options.parse("notification-e2e").benchmarks()).containsExactly(NotificationE2eBenchmark.NAME);
	}

	@Test
	void usesTheCountGivenOverTheDefaults() {
		Options options = Options.parse("job-queue", "--count", "1_000", "--smoke");
		assertThat(options.size(20_000, 500)).isEqualTo(1_000);
		assertThat(Options.parse("job-queue", "--smoke").size(20_000, 500)).isEqualTo(500);
		assertThat(Options.parse("job-queue").size(20_000, 500)).isEqualTo(20_000);
	}

	@Test
	void writesToTheGivenResultsFile() {
		assertThat(Options.parse("raw-kafka", "--results", "x/y.jsonl").results()).isEqualTo(Path.of("x/y.jsonl"));
	}

	@Test
	void rejectsUnknownBenchmarksAndBadCounts() {
		assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("raw-redis")).withMessageContaining("usage");
		assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("all", "--count", "0"))
			.withMessageContaining("positive");
		assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--smoke"))
			.withMessageContaining("Name a benchmark");
	}

}
