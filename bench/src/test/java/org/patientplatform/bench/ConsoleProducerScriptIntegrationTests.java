package org.patientplatform.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patientplatform.local.infra.KafkaBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code bin/kafka-console-producer} runs Kafka's own console producer against a real broker: the
 * README's failed-record example arrives with its headers and value.
 */
class ConsoleProducerScriptIntegrationTests {

	private static final Path SCRIPT = Path.of("..", "bin", "kafka-console-producer");

	@TempDir
	static Path folder;

	static KafkaBroker broker;

	@BeforeAll
	static void startBroker() {
		broker = KafkaBroker.start(folder.resolve("kafka"), 0, 1);
	}

	@AfterAll
	static void stopBroker() {
		broker.close();
	}

	@Test
	void sendsARecordWithHeadersFromStandardInput() throws Exception {
		Path output = folder.resolve("producer.log");
		Process producer = new ProcessBuilder("bash", SCRIPT.toString(), "--bootstrap-server",
				broker.bootstrapServers(), "--topic", "bench.console.v1", "--reader-property", "parse.headers=true",
				"--reader-property", "headers.delimiter=|", "--reader-property", "headers.separator=,",
				"--reader-property", "headers.key.separator=:")
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		try (OutputStream in = producer.getOutputStream()) {
			in.write(("kafka_dlt-original-topic:patient.events.v1,kafka_dlt-original-partition:0,"
					+ "kafka_dlt-original-offset:43,kafka_dlt-exception-fqcn:java.lang.IllegalStateException,"
					+ "dlq-non-retryable:true|{\"patientId\":\"p-1\"}\n")
				.getBytes(StandardCharsets.UTF_8));
		}
		assertThat(producer.waitFor(5, TimeUnit.MINUTES)).as("the producer ends at the end of its input").isTrue();
		assertThat(producer.exitValue()).as(log(output)).isZero();
		// the README's command as written: no deprecated option (before: "--property is deprecated")
		assertThat(Files.readString(output)).doesNotContain("deprecated");

		List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG,
						"console-producer-test", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
				new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
			consumer.subscribe(List.of("bench.console.v1"));
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach(received::add);
				return !received.isEmpty();
			});
		}
		ConsumerRecord<byte[], byte[]> record = received.get(0);
		assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"patientId\":\"p-1\"}");
		assertThat(header(record, "kafka_dlt-original-topic")).isEqualTo("patient.events.v1");
		assertThat(header(record, "kafka_dlt-original-partition")).isEqualTo("0");
		assertThat(header(record, "kafka_dlt-original-offset")).isEqualTo("43");
		assertThat(header(record, "kafka_dlt-exception-fqcn")).isEqualTo("java.lang.IllegalStateException");
		assertThat(header(record, "dlq-non-retryable")).isEqualTo("true");
	}

	private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
		return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
	}

	private static String log(Path output) throws IOException {
		return Files.exists(output) ? Files.readString(output) : "";
	}

}
