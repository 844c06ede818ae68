package org.patientplatform.dlq.redrive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.patientplatform.kit.jobs.JobHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a bulk redrive (role {@code wrk--default}, queue {@code default}): sends its pending items in
 * small chunks paced to the job's rate. Each chunk is one transaction that locks the job row, sends, and
 * marks each item sent (or failed, or skipped) together with the progress counters; so pause and cancel
 * take effect at the next chunk, and a run that stops anywhere (restart, crash, broker outage) leaves
 * every item either sent and marked, or pending: the next run continues from the pending ones and never
 * sends an item twice. The one window is a crash after the broker acknowledged a chunk and before its
 * transaction committed, which sends that chunk again: at most one chunk, and the outcome stays
 * idempotent for the origin (same entry id and attempt).
 */
@Component
class BulkRedriveJob implements JobHandler {

	private static final Logger log = LoggerFactory.getLogger(BulkRedriveJob.class);

	private static final int MAX_CHUNK = 200;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final Redriver redriver;

	private final BulkRedrives bulks;

	private final RedriveProperties properties;

	BulkRedriveJob(JdbcTemplate jdbc, TransactionTemplate transactions, Redriver redriver, BulkRedrives bulks,
			RedriveProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.redriver = redriver;
		this.bulks = bulks;
		this.properties = properties;
	}

	@Override
	public String type() {
		return BulkRedrives.JOB_TYPE;
	}

	@Override
	public void handle(Job job) throws InterruptedException {
		UUID bulkId = UUID.fromString(job.payload().get("bulkId").asString());
		Run run = run(bulkId, "job-" + job.id(), this.properties.slice(), Integer.MAX_VALUE);
		if (run == Run.SLICE_USED) {
			// hand over to a fresh job, so no run outlives the kit's job lease
			this.transactions.executeWithoutResult((status) -> {
				List<String> runner = this.jdbc.queryForList(
						"SELECT runner FROM bulk_redrive WHERE id = ? AND status = 'RUNNING' FOR UPDATE", String.class,
						bulkId);
				if (!runner.isEmpty() && ("job-" + job.id()).equals(runner.getFirst())) {
					this.bulks.enqueue(bulkId, "continue-" + UUID.randomUUID());
				}
			});
		}
	}

	/**
	 * Sends pending items until the job is done, paused, cancelled or taken over, or the slice or the
	 * chunk budget is used up.
	 * @param runner this run's name; a run started later takes over and this one stops
	 */
	Run run(UUID bulkId, String runner, Duration slice, int maxChunks) throws InterruptedException {
		List<Integer> rate = this.jdbc.queryForList("""
				UPDATE bulk_redrive SET runner = ?, started_at = COALESCE(started_at, now()), updated_at = now()
				WHERE id = ? AND status = 'RUNNING' RETURNING rate_per_second
				""", Integer.class, runner, bulkId);
		if (rate.isEmpty()) {
			return Run.STOPPED;
		}
		int perSecond = rate.getFirst();
		int chunk = Math.clamp(perSecond / 10, 1, MAX_CHUNK);
		long started = System.nanoTime();
		long deadline = started + slice.toNanos();
		long paced = 0;
		for (int i = 0; i < maxChunks; i++) {
			// the n-th message may go no earlier than n / rate seconds after the start
			long due = started + paced * 1_000_000_000L / perSecond;
			long wait = due - System.nanoTime();
			if (wait > 0) {
				Thread.sleep(Duration.ofNanos(wait));
			}
			if (System.nanoTime() > deadline) {
				return Run.SLICE_USED;
			}
			Chunk done = this.transactions.execute((status) -> chunk(bulkId, runner, chunk));
			if (done == null || done.stop() != null) {
				Run stop = (done != null) ? done.stop() : Run.STOPPED;
				if (stop == Run.COMPLETED) {
					log.info("Bulk redrive {} completed", bulkId);
				}
				return stop;
			}
			paced += done.attempted();
		}
		return Run.SLICE_USED;
	}

	private Chunk chunk(UUID bulkId, String runner, int size) {
		List<Map<String, Object>> job = this.jdbc.queryForList(
				"SELECT status, runner, target_topic, created_by, reason FROM bulk_redrive WHERE id = ? FOR UPDATE",
				bulkId);
		if (job.isEmpty() || !"RUNNING".equals(job.getFirst().get("status"))
				|| !runner.equals(job.getFirst().get("runner"))) {
			return new Chunk(0, Run.STOPPED);
		}
		Map<Integer, UUID> items = new LinkedHashMap<>();
		this.jdbc.query("""
				SELECT seq, entry_id FROM bulk_redrive_item
				WHERE bulk_id = ? AND state = 'PENDING' ORDER BY seq LIMIT ?
				""", (rs) -> {
			items.put(rs.getInt("seq"), rs.getObject("entry_id", UUID.class));
		}, bulkId, size);
		if (items.isEmpty()) {
			this.jdbc.update("UPDATE bulk_redrive SET status = 'COMPLETED', finished_at = now(), updated_at = now() "
					+ "WHERE id = ?", bulkId);
			return new Chunk(0, Run.COMPLETED);
		}
		// lock in id order, as every multi-entry lock here does, so two jobs can never deadlock
		Map<UUID, String> statuses = new LinkedHashMap<>();
		this.jdbc.query("SELECT id, status FROM dead_letter_entry WHERE id = ANY(?::uuid[]) ORDER BY id FOR UPDATE",
				(rs) -> {
					statuses.put(rs.getObject("id", UUID.class), rs.getString("status"));
				}, (Object) items.values().stream().map(UUID::toString).toArray(String[]::new));
		Map<UUID, String> skipped = new LinkedHashMap<>();
		List<UUID> sendable = new ArrayList<>();
		for (UUID entry : items.values()) {
			String status = statuses.get(entry);
			if (status == null) {
				skipped.put(entry, "entry gone");
			}
			else if ("DISCARDED".equals(status) || "RETRYING".equals(status)) {
				skipped.put(entry, "entry was " + status);
			}
			else {
				sendable.add(entry);
			}
		}
		Map<String, Object> row = job.getFirst();
		Redriver.Result result = this.redriver.redriveLocked(sendable,
				new Redriver.Request(Redriver.Kind.BULK, (String) row.get("target_topic"),
						String.valueOf(row.get("created_by")), (String) row.get("reason"), bulkId));
		if (!sendable.isEmpty() && result.sent().isEmpty() && result.brokerFailed()) {
			// nothing got through: keep every item pending and let the kit retry the job with backoff
			throw new IllegalStateException("The broker took none of " + sendable.size() + " records of bulk redrive "
					+ bulkId + "; the job will be retried");
		}
		Map<UUID, Long> sent = result.sent()
			.stream()
			.collect(Collectors.toMap(Redriver.Sent::entryId, Redriver.Sent::redriveId));
		List<Integer> seqs = new ArrayList<>();
		List<String> states = new ArrayList<>();
		List<@Nullable Long> redrives = new ArrayList<>();
		List<@Nullable String> details = new ArrayList<>();
		items.forEach((seq, entry) -> {
			seqs.add(seq);
			if (sent.containsKey(entry)) {
				states.add("SENT");
				redrives.add(sent.get(entry));
				details.add(null);
			}
			else if (skipped.containsKey(entry)) {
				states.add("SKIPPED");
				redrives.add(null);
				details.add(skipped.get(entry));
			}
			else {
				states.add("FAILED");
				redrives.add(null);
				details.add(result.failed().getOrDefault(entry, "not sent"));
			}
		});
		this.jdbc.update("""
				UPDATE bulk_redrive_item i SET state = u.state, redrive_id = u.redrive_id, detail = u.detail,
				    done_at = now()
				FROM unnest(?::int[], ?::text[], ?::bigint[], ?::text[]) AS u(seq, state, redrive_id, detail)
				WHERE i.bulk_id = ? AND i.seq = u.seq AND i.state = 'PENDING'
				""", seqs.toArray(Integer[]::new), states.toArray(String[]::new), redrives.toArray(Long[]::new),
				details.toArray(String[]::new), bulkId);
		int failed = items.size() - sent.size() - skipped.size();
		this.jdbc.update("UPDATE bulk_redrive SET sent = sent + ?, failed = failed + ?, skipped = skipped + ?, "
				+ "updated_at = now() WHERE id = ?", sent.size(), failed, skipped.size(), bulkId);
		return new Chunk(sent.size() + failed, null);
	}

	/** How a run ended. */
	enum Run {

		/** Every item is done. */
		COMPLETED,

		/** Paused, cancelled, or taken over by a newer run. */
		STOPPED,

		/** The slice (or chunk budget) is used up; items remain. */
		SLICE_USED

	}

	private record Chunk(int attempted, @Nullable Run stop) {
	}


}
