package org.patientplatform.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's own performance tools ({@code ProducerPerformance}, {@code ConsumerPerformance} from
 * {@code kafka-tools}), each run as a child JVM of the same Java and classpath as this one, configured
 * like the platform's clients (the kit's {@code platform-kit-defaults.properties}).
 */
final class KafkaPerfTools {

	/** The DLQ capture consumer polls this many records at most (dlq-service.yml). */
	static final int MAX_POLL_RECORDS = 500;

	private static final Pattern PRODUCER_TOTAL = Pattern.compile("(\\d+)( steady state)? records sent, ([\\d.]+) "
			+ "records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, "
			+ "(\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99.9th");

	private KafkaPerfTools() {
	}

	/**
	 * Produces {@code warmup + records} records of {@code recordSize} bytes as fast as possible; the
	 * figures are the steady state after the warm-up.
	 */
	static ProducerFigures produce(String bootstrap, String topic, long records, long warmup, int recordSize) {
		List<String> args = new ArrayList<>(List.of("--bootstrap-server", bootstrap, "--topic", topic, "--num-records",
				Long.toString(records + warmup), "--record-size", Integer.toString(recordSize), "--throughput", "-1"));
		if (warmup > 0) {
			args.addAll(List.of("--warmup-records", Long.toString(warmup)));
		}
		args.add("--command-property");
		platformProducerProperties().forEach((key, value) -> args.add(key + "=" + value));
		long cpu = CpuMeter.jvmCpuNanos();
		List<String> output = runTool("org.apache.kafka.tools.ProducerPerformance", args);
		cpu = CpuMeter.jvmCpuNanos() - cpu;
		Matcher last = null;
		for (String line : output) {
			Matcher matcher = PRODUCER_TOTAL.matcher(line);
			if (matcher.find()) {
				last = matcher; // the steady-state line comes after the total
			}
		}
		if (last == null) {
			throw new IllegalStateException("ProducerPerformance printed no total:\n" + String.join("\n", output));
		}
		return new ProducerFigures(Long.parseLong(last.group(1)), Double.parseDouble(last.group(3)),
				Double.parseDouble(last.group(4)), Double.parseDouble(last.group(5)), Double.parseDouble(last.group(6)),
				Integer.parseInt(last.group(7)), Integer.parseInt(last.group(9)), Integer.parseInt(last.group(10)),
				cpu / 1000.0 / (records + warmup));
	}

	/** Consumes {@code records} records of the topic from the start, in a new group. */
	static ConsumerFigures consume(String bootstrap, String topic, long records) {
		return consume(bootstrap, List.of("--topic", topic), records);
	}

	/**
	 * Consumes {@code records} records of the topics whose names match the regular expression, from the
	 * start, in a new group (more records than one topic holds, for a raw limit measured past the tool's
	 * own warm-up).
	 */
	static ConsumerFigures consumeMatching(String bootstrap, String topicRegex, long records) {
		return consume(bootstrap, List.of("--include", topicRegex), records);
	}

	private static ConsumerFigures consume(String bootstrap, List<String> topics, long records) {
		List<String> args = new ArrayList<>(List.of("--bootstrap-server", bootstrap));
		args.addAll(topics);
		args.addAll(List.of("--num-records",
				Long.toString(records), "--group", "bench-consumer-" + Infrastructure.randomHex(), "--timeout",
				"60000", "--command-property"));
		platformConsumerProperties().forEach((key, value) -> args.add(key + "=" + value));
		long cpu = CpuMeter.jvmCpuNanos();
		List<String> output = runTool("org.apache.kafka.tools.ConsumerPerformance", args);
		cpu = CpuMeter.jvmCpuNanos() - cpu;
		// start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
		// fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
		for (int i = 0; i < output.size() - 1; i++) {
			if (output.get(i).startsWith("start.time")) {
				String[] values = output.get(i + 1).split(",\\s*");
				return new ConsumerFigures(Long.parseLong(values[4]), Double.parseDouble(values[9]),
						Double.parseDouble(values[8]), Long.parseLong(values[6]), Long.parseLong(values[7]),
						cpu / 1000.0 / records);
			}
		}
		throw new IllegalStateException("ConsumerPerformance printed no figures:\n" + String.join("\n", output));
	}

	/**
	 * The platform's producer settings: {@code acks} and every {@code spring.kafka.producer.properties.*}
	 * of the kit's defaults (idempotence, linger).
	 */
	static Map<String, String> platformProducerProperties() {
		Properties defaults = kitDefaults();
		Map<String, String> producer = new TreeMap<>();
		producer.put("acks", defaults.getProperty("spring.kafka.producer.acks", "all"));
		String prefix = "spring.kafka.producer.properties.";
		for (String name : defaults.stringPropertyNames()) {
			if (name.startsWith(prefix)) {
				producer.put(name.substring(prefix.length()), defaults.getProperty(name));
			}
		}
		return producer;
	}

	/** The platform's consumer settings that matter for throughput. */
	static Map<String, String> platformConsumerProperties() {
		Properties defaults = kitDefaults();
		Map<String, String> consumer = new TreeMap<>();
		consumer.put("isolation.level",
				defaults.getProperty("spring.kafka.consumer.isolation-level", "read-committed").replace('-', '_'));
		consumer.put("max.poll.records", Integer.toString(MAX_POLL_RECORDS));
		return consumer;
	}

	private static Properties kitDefaults() {
		Properties properties = new Properties();
		try (InputStream in = KafkaPerfTools.class.getClassLoader()
			.getResourceAsStream("platform-kit-defaults.properties")) {
			if (in == null) {
				throw new IllegalStateException("platform-kit-defaults.properties is not on the classpath");
			}
			properties.load(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return properties;
	}

	private static List<String> runTool(String mainClass, List<String> args) {
		try {
			Path output = Files.createTempFile("bench-kafka-tool-", ".log");
			try {
				List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
					.toString(), "-Xmx1g", "-Duser.language=en", "-Duser.country=US", "-cp",
						System.getProperty("java.class.path"), mainClass));
				command.addAll(args);
				Process process = new ProcessBuilder(command).redirectErrorStream(true)
					.redirectOutput(output.toFile())
					.start();
				if (!process.waitFor(15, TimeUnit.MINUTES)) {
					process.destroyForcibly();
					throw new IllegalStateException(mainClass + " did not finish in 15 minutes");
				}
				List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
				if (process.exitValue() != 0) {
					throw new IllegalStateException(
							mainClass + " exited with " + process.exitValue() + ":\n" + String.join("\n", lines));
				}
				return lines;
			}
			finally {
				Files.deleteIfExists(output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * What {@code ProducerPerformance} measured (steady state when there was a warm-up).
	 *
	 * @param records records counted
	 * @param recordsPerSecond records acknowledged per second
	 * @param megabytesPerSecond MB acknowledged per second
	 * @param averageLatencyMs the mean send-to-acknowledgement latency
	 * @param maxLatencyMs the maximum latency
	 * @param p50LatencyMs the median latency
	 * @param p99LatencyMs the 99th percentile latency
	 * @param p999LatencyMs the 99.9th percentile latency
	 * @param brokerCpuMicrosPerRecord the CPU this JVM, which hosts the broker, used per record sent
	 */
	record ProducerFigures(long records, double recordsPerSecond, double megabytesPerSecond, double averageLatencyMs,
			double maxLatencyMs, int p50LatencyMs, int p99LatencyMs, int p999LatencyMs,
			double brokerCpuMicrosPerRecord) {
	}

	/**
	 * What {@code ConsumerPerformance} measured.
	 *
	 * @param records records consumed
	 * @param recordsPerSecond records per second of fetching (without the group join)
	 * @param megabytesPerSecond MB per second of fetching
	 * @param rebalanceMs the time to join the group
	 * @param fetchMs the time spent fetching
	 * @param brokerCpuMicrosPerRecord the CPU this JVM, which hosts the broker, used per record fetched
	 */
	record ConsumerFigures(long records, double recordsPerSecond, double megabytesPerSecond, long rebalanceMs,
			long fetchMs, double brokerCpuMicrosPerRecord) {
	}

}
