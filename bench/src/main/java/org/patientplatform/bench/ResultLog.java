package org.patientplatform.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Appends results as JSON lines: name, date, git commit, machine, infrastructure, parameters, figures,
 * raw limits and ratios. One line per benchmark run, never rewritten.
 */
final class ResultLog {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final Path file;

	private final Map<String, Object> machine;

	private final @Nullable String commit;

	private final boolean dirty;

	ResultLog(Path file, Map<String, Object> infrastructure) {
		this.file = file;
		this.machine = new LinkedHashMap<>(machine());
		this.machine.putAll(infrastructure);
		this.commit = git("rev-parse", "HEAD");
		// untracked files count: a new source file or migration not yet added changes what was measured
		String changes = git("status", "--porcelain", "--untracked-files=normal", "--", ":(top)",
				":(top,exclude)bench/results", ":(top,exclude)docs/benchmarks.md");
		this.dirty = changes != null && !changes.isBlank();
	}

	Map<String, Object> line(Result result, boolean smoke, double loadAtStart) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("name", result.name());
		line.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
		line.put("commit", (this.commit != null) ? this.commit : "unknown");
		line.put("uncommittedChanges", this.dirty);
		line.put("smoke", smoke);
		line.put("machine", this.machine);
		// how busy the (shared) machine was: the 1-minute load average when the benchmark started and ended
		line.put("loadAverage", Map.of("start", Result.round(loadAtStart), "end", Result.round(loadAverage())));
		line.put("parameters", result.parameters());
		line.put("figures", result.figures());
		line.put("raw", result.raw());
		line.put("ratios", result.ratios());
		line.put("diagnostics", result.diagnostics());
		line.put("durationSeconds", Result.round(result.duration().toMillis() / 1000.0));
		line.put("summary", result.summary());
		return line;
	}

	/** Appends one line; runs sharing a file (the smoke test runs two at once) never interleave. */
	void append(Result result, boolean smoke, double loadAtStart) {
		synchronized (ResultLog.class) {
			appendLine(result, smoke, loadAtStart);
		}
	}

	private void appendLine(Result result, boolean smoke, double loadAtStart) {
		try {
			Path parent = this.file.toAbsolutePath().getParent();
			if (parent != null) {
				Files.createDirectories(parent);
			}
			String text = json.writeValueAsString(line(result, smoke, loadAtStart)) + "\n";
			Files.writeString(this.file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot append to " + this.file, ex);
		}
	}

	Path file() {
		return this.file;
	}

	/** The system's 1-minute load average (runnable processes), or -1 where the platform has none. */
	static double loadAverage() {
		return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
	}

	static Map<String, Object> machine() {
		Map<String, Object> machine = new LinkedHashMap<>();
		machine.put("cores", Runtime.getRuntime().availableProcessors());
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			machine.put("memoryMb", os.getTotalMemorySize() / (1024 * 1024));
		}
		machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
				+ System.getProperty("os.arch"));
		machine.put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version"));
		return machine;
	}

	/** A git command's output in the working directory, or null where git or the repository is missing. */
	static @Nullable String git(String... args) {
		List<String> command = new ArrayList<>(List.of("git"));
		command.addAll(List.of(args));
		try {
			Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
				return null;
			}
			return output;
		}
		catch (IOException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

}
