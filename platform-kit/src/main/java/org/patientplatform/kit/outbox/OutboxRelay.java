package org.patientplatform.kit.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.patientplatform.kit.events.PlatformEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes committed outbox rows to Kafka in id order and marks them published. One relay at a time
 * works a database (a transaction-scoped advisory lock), so order per key holds however many
 * instances run. While the broker is down nothing is marked and the batch is tried again; a row can
 * therefore be sent twice, never lost: consumers de-duplicate by event id. Published rows older than
 * the retention are deleted.
 */
public class OutboxRelay implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

	private static final long LOCK_ID = 0x6f7574626f78L; // "outbox"

	/**
	 * Below everything that writes events: the web server's graceful shutdown ({@code Integer.MAX_VALUE - 1024}),
	 * Kafka's listener containers ({@code - 100}), the kit's job workers and cron (the default phase) stop
	 * first, so what they commit while they drain is still published by the final pass of {@link #stop()}.
	 */
	public static final int PHASE = Integer.MAX_VALUE - 10_000;

	/** How long the final pass at stop may publish before it leaves the rest to the next start. */
	static final Duration FINAL_DRAIN = Duration.ofSeconds(10);

	record Row(long id, String eventId, String topic, String key, String type, String subject, byte[] data,
			String traceparent, OffsetDateTime createdAt) {
	}

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final KafkaOperations<byte[], byte[]> kafka;

	private final PlatformEvents events;

	private final OutboxProperties properties;

	private volatile boolean running;

	private Thread thread;

	public OutboxRelay(JdbcTemplate jdbc, TransactionTemplate transactions, KafkaOperations<byte[], byte[]> kafka,
			PlatformEvents events, OutboxProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.kafka = kafka;
		this.events = events;
		this.properties = properties;
	}

	/**
	 * Publishes one batch if this relay holds the lock.
	 * @return the number of rows published
	 */
	public int relayOnce() {
		Integer published = this.transactions.execute((status) -> {
			Boolean locked = this.jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(?)", Boolean.class, LOCK_ID);
			if (!Boolean.TRUE.equals(locked)) {
				return 0;
			}
			List<Row> rows = this.jdbc.query("""
					SELECT id, event_id, topic, record_key, event_type, subject, data, traceparent, created_at
					FROM outbox_event WHERE published_at IS NULL ORDER BY id LIMIT ?
					""", (rs, n) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
					rs.getString(5), rs.getString(6), rs.getBytes(7), rs.getString(8),
					rs.getObject(9, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC)),
					this.properties.batchSize());
			if (rows.isEmpty()) {
				return 0;
			}
			List<CompletableFuture<?>> sends = new ArrayList<>(rows.size());
			for (Row row : rows) {
				sends.add(this.kafka.send(toRecord(row)));
			}
			try {
				CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
					.get(this.properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (Exception ex) {
				status.setRollbackOnly();
				log.warn("Outbox relay could not publish {} events, will retry: {}", rows.size(), ex.toString());
				return 0;
			}
			this.jdbc.update("UPDATE outbox_event SET published_at = now(), attempts = attempts + 1 "
					+ "WHERE id = ANY (?)", (Object) rows.stream().map(Row::id).toArray(Long[]::new));
			return rows.size();
		});
		return (published != null) ? published : 0;
	}

	private ProducerRecord<byte[], byte[]> toRecord(Row row) {
		// ce_time is when the change appended the event (Outbox#append): the same in every send of it (a relay that
		// stopped after sending and before marking sends it again), and not the relay's, hours later after an outage
		CloudEvent event = this.events.create(row.eventId(), row.type(), row.subject(), row.data(), row.createdAt());
		RecordHeaders headers = new RecordHeaders();
		byte[] value = this.events.serialize(row.topic(), event, headers);
		if (row.traceparent() != null) {
			headers.add("traceparent", row.traceparent().getBytes(StandardCharsets.UTF_8));
		}
		return new ProducerRecord<>(row.topic(), null, row.key().getBytes(StandardCharsets.UTF_8), value, headers);
	}

	/** Deletes published rows older than the retention. */
	public int cleanUp() {
		return this.jdbc.update("DELETE FROM outbox_event WHERE published_at < now() - make_interval(secs => ?)",
				(double) this.properties.retention().toSeconds());
	}

	private void loop() {
		long lastCleanUp = 0;
		while (this.running) {
			try {
				int published = relayOnce();
				if (System.currentTimeMillis() - lastCleanUp > Duration.ofMinutes(10).toMillis()) {
					cleanUp();
					lastCleanUp = System.currentTimeMillis();
				}
				if (published == 0) {
					Thread.sleep(this.properties.pollInterval().toMillis());
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				log.warn("Outbox relay failed, will retry: {}", ex.toString());
				sleepQuietly(this.properties.pollInterval().multipliedBy(5));
			}
		}
	}

	private static void sleepQuietly(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public synchronized void start() {
		if (!this.running) {
			this.running = true;
			this.thread = Thread.ofPlatform().name("outbox-relay").daemon().start(this::loop);
		}
	}

	/**
	 * Stops the relay thread, then publishes what is left (what the other components committed while they
	 * drained) for at most {@link #FINAL_DRAIN}; the rest, or all of it when Kafka cannot be reached, stays in
	 * the table for the next start.
	 */
	@Override
	public synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		if (this.thread != null) {
			this.thread.interrupt();
			try {
				this.thread.join(5_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
		long deadline = System.nanoTime() + FINAL_DRAIN.toNanos();
		int published = 0;
		try {
			int batch;
			while (System.nanoTime() < deadline && (batch = relayOnce()) > 0) {
				published += batch;
			}
		}
		catch (RuntimeException ex) {
			log.warn("Outbox relay could not publish at stop; the next start will: {}", ex.toString());
		}
		if (published > 0) {
			log.info("Outbox relay published {} events at stop", published);
		}
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public boolean isAutoStartup() {
		return this.properties.relayEnabled();
	}

}
