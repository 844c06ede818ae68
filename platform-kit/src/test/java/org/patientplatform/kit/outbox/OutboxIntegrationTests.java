package org.patientplatform.kit.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.patientplatform.kit.KafkaTestClient;
import org.patientplatform.kit.KitIntegrationTest;
import org.patientplatform.kit.events.PlatformEvents;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@KitIntegrationTest
@TestPropertySource(properties = "platform.outbox.relay-enabled=false")
class OutboxIntegrationTests {

	static final String ROLLBACK = "kit.outbox-rollback.v1";

	static final String RESTART = "kit.outbox-restart.v1";

	static final String STOP = "kit.outbox-stop.v1";

	static final String ORDER = "kit.outbox-order.v1";

	static final String TIME = "kit.outbox-time.v1";

	@Autowired
	Outbox outbox;

	@Autowired
	OutboxRelay relay;

	@Autowired
	TransactionTemplate transactions;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	KafkaTemplate<byte[], byte[]> kafkaTemplate;

	@Autowired
	PlatformEvents events;

	@Autowired
	OutboxProperties properties;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	KafkaTestClient kafka;

	@BeforeEach
	void setUp() throws Exception {
		this.kafka = new KafkaTestClient(this.bootstrapServers);
		this.jdbc.update("DELETE FROM outbox_event");
		// services declare their topics at start-up; so do these tests
		try (AdminClient admin = AdminClient
			.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers))) {
			Set<String> existing = admin.listTopics().names().get();
			List<NewTopic> missing = Stream.of(ROLLBACK, RESTART, STOP, ORDER, TIME)
				.filter((name) -> !existing.contains(name))
				.map((name) -> new NewTopic(name, 3, (short) 1))
				.toList();
			admin.createTopics(missing).all().get();
		}
	}

	@AfterEach
	void tearDown() {
		this.kafka.close();
	}

	record Changed(String id, int sequence) {
	}

	@Test
	void emitsNothingForARolledBackTransaction() {
		String topic = ROLLBACK;
		this.transactions.executeWithoutResult((status) -> {
			this.outbox.append(topic, "k", "kit.Changed.v1", new Changed("k", 1));
			status.setRollbackOnly();
		});
		assertThat(this.relay.relayOnce()).isZero();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE topic = ?", Integer.class, topic))
			.isZero();
		assertThat(this.kafka.read(topic, 1, Duration.ofSeconds(2))).isEmpty();
	}

	@Test
	void publishesACommittedEventOnceTheRelayStartsAgain() {
		String topic = RESTART;
		UUID eventId = this.transactions
			.execute((status) -> this.outbox.append(topic, "p-1", "kit.Changed.v1", new Changed("p-1", 1)));
		// the relay was stopped when the transaction committed: nothing is on Kafka yet
		assertThat(this.kafka.read(topic, 1, Duration.ofSeconds(2))).isEmpty();

		this.relay.start();
		try {
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(this.kafka.read(topic, 1,
					Duration.ofSeconds(2))).singleElement().satisfies((record) -> {
						assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("p-1");
						assertThat(header(record, "ce_id")).isEqualTo(eventId.toString());
						assertThat(header(record, "ce_type")).isEqualTo("kit.Changed.v1");
						assertThat(new String(record.value(), StandardCharsets.UTF_8))
							.isEqualTo("{\"id\":\"p-1\",\"sequence\":1}");
						// when it happened (the append), not when the relay sent it seconds later
						assertThat(OffsetDateTime.parse(header(record, "ce_time")).toInstant())
							.isEqualTo(this.jdbc.queryForObject("SELECT created_at FROM outbox_event WHERE event_id = ?",
									OffsetDateTime.class, eventId).toInstant());
					}));
			assertThat(this.jdbc.queryForObject(
					"SELECT published_at IS NOT NULL FROM outbox_event WHERE event_id = ?", Boolean.class, eventId))
				.isTrue();
		}
		finally {
			this.relay.stop();
		}
	}

	@Test
	void timesEachEventWhenItsChangeAppendedItTheSameInEverySend() {
		String topic = TIME;
		// two changes of one aggregate in one transaction, a moment apart: each is timed when it was made, not both at
		// the transaction's start (a consumer keeping the newer change by time would see two of one time)
		List<UUID> ids = this.transactions.execute((status) -> {
			UUID first = this.outbox.append(topic, "t-1", "kit.Changed.v1", new Changed("t-1", 1));
			await().pollDelay(Duration.ofMillis(50)).until(() -> true);
			return List.of(first, this.outbox.append(topic, "t-1", "kit.Changed.v1", new Changed("t-1", 2)));
		});
		assertThat(this.relay.relayOnce()).isEqualTo(2);
		// sent again, as a relay that stopped between sending and marking sends them: the same ce_time each time
		this.jdbc.update("UPDATE outbox_event SET published_at = NULL WHERE topic = ?", topic);
		await().pollDelay(Duration.ofMillis(50)).until(() -> true);
		assertThat(this.relay.relayOnce()).isEqualTo(2);
		List<ConsumerRecord<byte[], byte[]>> records = this.kafka.read(topic, 4, Duration.ofSeconds(10));
		assertThat(records).hasSize(4);
		Map<String, Set<String>> times = new HashMap<>();
		records.forEach((record) -> times.computeIfAbsent(header(record, "ce_id"), (id) -> new java.util.HashSet<>())
			.add(header(record, "ce_time")));
		assertThat(times).containsOnlyKeys(ids.get(0).toString(), ids.get(1).toString());
		assertThat(times.values()).allSatisfy((each) -> assertThat(each).hasSize(1));
		java.time.Instant first = OffsetDateTime.parse(times.get(ids.get(0).toString()).iterator().next()).toInstant();
		java.time.Instant second = OffsetDateTime.parse(times.get(ids.get(1).toString()).iterator().next()).toInstant();
		assertThat(Duration.between(first, second)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
	}

	@Test
	void publishesAtStopWhatWasCommittedWhileTheRestOfTheServiceStopped() {
		String topic = STOP;
		// stopping comes after the listeners, workers and web server (higher phases stop first), which may
		// commit events while they drain: the last of them must not wait for the next start
		assertThat(this.relay.getPhase()).isLessThan(Integer.MAX_VALUE - 1024)
			.isLessThan(AbstractMessageListenerContainer.DEFAULT_PHASE);
		// a relay whose loop, once it found nothing, would not look again for an hour: only stop() can publish
		OutboxRelay sleepy = new OutboxRelay(this.jdbc, this.transactions, this.kafkaTemplate, this.events,
				new OutboxProperties(true, 500, Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofDays(7)));
		sleepy.start();
		UUID eventId;
		try {
			await().pollDelay(Duration.ofMillis(500)).until(() -> true);
			eventId = this.transactions
				.execute((status) -> this.outbox.append(topic, "s-1", "kit.Changed.v1", new Changed("s-1", 1)));
		}
		finally {
			sleepy.stop();
		}
		assertThat(this.jdbc.queryForObject("SELECT published_at IS NOT NULL FROM outbox_event WHERE event_id = ?",
				Boolean.class, eventId))
			.as("published by the time stop() returned")
			.isTrue();
		assertThat(this.kafka.read(topic, 10, Duration.ofSeconds(5)))
			.anySatisfy((record) -> assertThat(header(record, "ce_id")).isEqualTo(eventId.toString()));
	}

	@Test
	void keepsOrderPerKeyWithTwoRelays() throws Exception {
		String topic = ORDER;
		int keys = 10;
		int perKey = 100;
		this.transactions.executeWithoutResult((status) -> {
			for (int sequence = 1; sequence <= perKey; sequence++) {
				for (int k = 0; k < keys; k++) {
					this.outbox.append(topic, "key-" + k, "kit.Changed.v1", new Changed("key-" + k, sequence));
				}
			}
		});
		OutboxProperties small = new OutboxProperties(false, 37, Duration.ofMillis(10), Duration.ofSeconds(30),
				Duration.ofDays(7));
		OutboxRelay one = new OutboxRelay(this.jdbc, this.transactions, this.kafkaTemplate, this.events, small);
		OutboxRelay two = new OutboxRelay(this.jdbc, this.transactions, this.kafkaTemplate, this.events, small);
		ExecutorService pool = Executors.newFixedThreadPool(2);
		List<Future<Integer>> runs = new ArrayList<>();
		for (OutboxRelay relay : List.of(one, two)) {
			runs.add(pool.submit(() -> {
				int total = 0;
				long deadline = System.currentTimeMillis() + 30_000;
				while (System.currentTimeMillis() < deadline && unpublished() > 0) {
					total += relay.relayOnce();
				}
				return total;
			}));
		}
		int published = runs.get(0).get() + runs.get(1).get();
		pool.shutdown();
		assertThat(published).isEqualTo(keys * perKey);

		List<ConsumerRecord<byte[], byte[]>> records = this.kafka.read(topic, keys * perKey, Duration.ofSeconds(30));
		assertThat(records).hasSize(keys * perKey);
		Map<String, Integer> last = new HashMap<>();
		for (ConsumerRecord<byte[], byte[]> record : records) {
			String key = new String(record.key(), StandardCharsets.UTF_8);
			int sequence = this.events.json().readTree(record.value()).get("sequence").asInt();
			assertThat(sequence).as("order of %s", key).isEqualTo(last.getOrDefault(key, 0) + 1);
			last.put(key, sequence);
		}
	}

	@Test
	void deletesPublishedRowsOlderThanTheRetention() {
		this.transactions.executeWithoutResult((status) -> this.outbox.append("kit.outbox-clean.v1", "k",
				"kit.Changed.v1", new Changed("k", 1)));
		this.jdbc.update("UPDATE outbox_event SET published_at = now() - interval '8 days' WHERE topic = ?",
				"kit.outbox-clean.v1");
		assertThat(this.relay.cleanUp()).isEqualTo(1);
	}

	private int unpublished() {
		Integer count = this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE published_at IS NULL",
				Integer.class);
		return (count != null) ? count : 0;
	}

	private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
		return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
	}

}
