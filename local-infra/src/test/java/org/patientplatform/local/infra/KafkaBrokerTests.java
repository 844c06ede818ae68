package org.patientplatform.local.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaBrokerTests {

	@TempDir
	Path data;

	@Test
	void keepsItsRecordsAcrossARestartOnTheSameDirectory() throws Exception {
		int port = KafkaBroker.freePort();
		try (KafkaBroker broker = KafkaBroker.start(this.data, port, 1);
				KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
						ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
						ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
						ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
			producer.send(new ProducerRecord<>("kept.v1", "k", "before restart")).get();
		}
		try (KafkaBroker broker = KafkaBroker.start(this.data, port, 1);
				KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
						ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
						ConsumerConfig.GROUP_ID_CONFIG, "reader", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
						ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
						ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
			consumer.subscribe(List.of("kept.v1"));
			List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
			long deadline = System.currentTimeMillis() + 30_000;
			while (records.isEmpty() && System.currentTimeMillis() < deadline) {
				consumer.poll(Duration.ofMillis(500)).forEach(records::add);
			}
			assertThat(records).extracting(ConsumerRecord::value).containsExactly("before restart");
		}
	}

	@Test
	void comesBackAfterAStopOnTheSamePortForTheClientsItHad() throws Exception {
		try (KafkaBroker broker = KafkaBroker.start(this.data, 0, 1);
				KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
						ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
						ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
						ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
			producer.send(new ProducerRecord<>("outage.v1", "k", "before the outage")).get();
			broker.stop();
			assertThat(broker.isRunning()).isFalse();
			broker.restart();
			assertThat(broker.isRunning()).isTrue();
			// the same producer reconnects to the same address
			producer.send(new ProducerRecord<>("outage.v1", "k", "after the outage")).get(60, TimeUnit.SECONDS);
			try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
					ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG,
					"reader", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
					ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
					ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
				consumer.subscribe(List.of("outage.v1"));
				List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
				long deadline = System.currentTimeMillis() + 30_000;
				while (records.size() < 2 && System.currentTimeMillis() < deadline) {
					consumer.poll(Duration.ofMillis(500)).forEach(records::add);
				}
				assertThat(records).extracting(ConsumerRecord::value)
					.containsExactly("before the outage", "after the outage");
			}
		}
	}

}
