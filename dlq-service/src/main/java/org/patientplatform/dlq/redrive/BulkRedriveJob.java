package org.patientplatform.dlq.redrive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.patientplatform.dlq.capture.DeadLetterPayloads;
import org.patientplatform.dlq.capture.StoredMessage;
import org.patientplatform.kit.jobs.JobHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a bulk redrive (role {@code wrk--default}, queue {@code default}): sends its pending items in
 * chunks, paced to the job's rate, or as fast as the broker takes them when unthrottled, then with
 * several chunks in flight at once ({@code dlq.redrive.unthrottled-lanes}). Each chunk is two
 * transactions. The first claims it: it locks the job row, takes the pending items after every open claim
 * and records the highest ({@code claimed_through}, with {@code open_claims} counting the open ones), and
 * commits before anything is sent. The second locks the chunk's entries, sends every record, waits for
 * every answer of the producer, records the redrives, then locks the job row to mark each item sent,
 * skipped or failed with the progress counters and close the claim (the last open one clears
 * {@code claimed_through}).
 *
 * <p>So each item is sent at most once per bulk job, across restarts and crashes: a run that starts with
 * a claim nobody closed (the process stopped, or the database failed, between claiming a chunk and
 * recording it) marks the items still pending up to it as failed and <em>unconfirmed</em> (they may have
 * gone out) and never sends them again; an operator can redrive them on purpose. Records the producer could not
 * deliver for a reason that passes (the broker unavailable, its delivery timeout) stay pending, the claim
 * is closed, and the job fails so the kit retries it with backoff: they go out once the broker is back.
 * Pause and cancel take effect at the next chunk; chunks already being sent finish and are recorded.
 */
@Component
class BulkRedriveJob implements JobHandler {

	private static final Logger log = LoggerFactory.getLogger(BulkRedriveJob.class);

	private static final int MAX_CHUNK = 200;

	static final String UNCONFIRMED = "unconfirmed: the run that sent this chunk stopped before recording it; "
			+ "not sent again";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final Redriver redriver;

	private final BulkRedrives bulks;

	private final DeadLetterPayloads payloads;

	private final RedriveProperties properties;

	BulkRedriveJob(JdbcTemplate jdbc, TransactionTemplate transactions, Redriver redriver, BulkRedrives bulks,
			DeadLetterPayloads payloads, RedriveProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.redriver = redriver;
		this.bulks = bulks;
		this.payloads = payloads;
		this.properties = properties;
	}

	@Override
	public String type() {
		return BulkRedrives.JOB_TYPE;
	}

	@Override
	public void handle(Job job) throws InterruptedException {
		UUID bulkId = UUID.fromString(job.payload().get("bulkId").asString());
		// a name of this run alone: the kit may run the same job again (its lease ran out) while this run
		// still sends, and the newer run must be able to tell this one's claims from its own
		String runner = "job-" + job.id() + "-" + UUID.randomUUID().toString().substring(0, 8);
		Run run = run(bulkId, runner, this.properties.slice(), Integer.MAX_VALUE, job::isStopping);
		if (run == Run.SLICE_USED) {
			// hand over to a fresh job, so the queue's other jobs (report builds) get their turn, and on
			// shutdown at the next chunk (the fresh job runs when a worker is up again, no attempt used)
			this.transactions.executeWithoutResult((status) -> {
				List<String> current = this.jdbc.queryForList(
						"SELECT runner FROM bulk_redrive WHERE id = ? AND status = 'RUNNING' FOR UPDATE", String.class,
						bulkId);
				if (!current.isEmpty() && runner.equals(current.getFirst())) {
					this.bulks.enqueue(bulkId, "continue-" + UUID.randomUUID());
				}
			});
		}
	}

	/**
	 * Sends pending items until the job is done, paused, cancelled or taken over, or the slice or the
	 * chunk budget is used up. An unthrottled job runs {@code dlq.redrive.unthrottled-lanes} lanes at once,
	 * each claiming and sending its own chunks, so one lane's database work overlaps another's sends; a
	 * throttled one runs one lane, paced.
	 * @param runner this run's name; a run started later takes over and this one stops
	 * @throws BrokerUnavailableException when records could not be delivered for now (they stay pending)
	 */
	Run run(UUID bulkId, String runner, Duration slice, int maxChunks) throws InterruptedException {
		return run(bulkId, runner, slice, maxChunks, () -> false);
	}

	/**
	 * As {@link #run(UUID, String, Duration, int)}, and ends as if the slice were used up once
	 * {@code stopping} says the worker stops.
	 */
	Run run(UUID bulkId, String runner, Duration slice, int maxChunks, BooleanSupplier stopping)
			throws InterruptedException {
		Integer rate = this.transactions.execute((status) -> start(bulkId, runner));
		if (rate == null) {
			return Run.STOPPED;
		}
		int perSecond = rate;
		boolean unthrottled = perSecond <= 0;
		int chunk = unthrottled ? Math.max(1, this.properties.unthrottledChunk())
				: Math.clamp(perSecond / 10, 1, MAX_CHUNK);
		int lanes = unthrottled ? Math.max(1, this.properties.unthrottledLanes()) : 1;
		Lanes shared = new Lanes(System.nanoTime() + slice.toNanos(), new AtomicInteger(maxChunks), stopping);
		if (lanes == 1) {
			Run end = lane(bulkId, runner, chunk, perSecond, shared);
			if (end == Run.COMPLETED) {
				log.info("Bulk redrive {} completed", bulkId);
			}
			return end;
		}
		List<Future<Run>> others = new ArrayList<>();
		ExecutorService pool = Executors.newFixedThreadPool(lanes - 1);
		try {
			for (int i = 1; i < lanes; i++) {
				others.add(pool.submit(() -> lane(bulkId, runner, chunk, 0, shared)));
			}
			List<Run> ends = new ArrayList<>();
			RuntimeException failure = null;
			try {
				ends.add(lane(bulkId, runner, chunk, 0, shared));
			}
			catch (RuntimeException ex) {
				shared.stop = true;
				failure = ex;
			}
			for (Future<Run> other : others) {
				try {
					ends.add(other.get());
				}
				catch (ExecutionException ex) {
					shared.stop = true;
					if (failure == null) {
						failure = (ex.getCause() instanceof RuntimeException cause) ? cause
								: new IllegalStateException(ex.getCause());
					}
				}
			}
			if (failure != null) {
				throw failure;
			}
			if (ends.contains(Run.COMPLETED)) {
				log.info("Bulk redrive {} completed", bulkId);
				return Run.COMPLETED;
			}
			return ends.contains(Run.STOPPED) ? Run.STOPPED : Run.SLICE_USED;
		}
		finally {
			shared.stop = true;
			pool.shutdown();
			if (!pool.awaitTermination(this.properties.sendTimeout().toSeconds() + 60, TimeUnit.SECONDS)) {
				pool.shutdownNow();
			}
		}
	}

	/** One lane: claims and sends chunks until there is nothing left for it, or the run must end. */
	private Run lane(UUID bulkId, String runner, int chunk, int perSecond, Lanes shared) throws InterruptedException {
		// when the next chunk may go: a chunk of n records waits n / rate seconds after the one before it left,
		// counted from when that one left, so a run that fell behind (a stall of the database or the JVM) goes on
		// at its rate rather than sending the chunks it is late for back to back
		long due = System.nanoTime();
		while (true) {
			long leaves = System.nanoTime();
			if (perSecond > 0 && due > leaves) {
				Thread.sleep(Duration.ofNanos(due - leaves));
				leaves = due;
			}
			if (shared.stop) {
				return Run.STOPPED;
			}
			if (System.nanoTime() > shared.deadline || shared.stopping.getAsBoolean()
					|| shared.chunks.getAndDecrement() <= 0) {
				return Run.SLICE_USED;
			}
			Claim claim = this.transactions.execute((status) -> claim(bulkId, runner, chunk));
			if (claim == null || claim.stop() != null) {
				return (claim != null) ? claim.stop() : Run.STOPPED;
			}
			if (claim.items().isEmpty()) {
				// the rest is claimed by another lane: this one is done
				return Run.SLICE_USED;
			}
			Chunk done = this.transactions.execute((status) -> send(bulkId, runner, claim));
			if (done == null || done.stop() != null) {
				return (done != null) ? Objects.requireNonNull(done.stop()) : Run.STOPPED;
			}
			if (done.retryLater() > 0) {
				throw new BrokerUnavailableException("The broker did not take " + done.retryLater() + " of "
						+ claim.items().size() + " records of bulk redrive " + bulkId
						+ "; they stay pending and the job will be retried");
			}
			if (perSecond > 0) {
				due = leaves + done.attempted() * 1_000_000_000L / perSecond;
			}
		}
	}

	/**
	 * Takes the job over for this run; first retires the claims no run finished. Returns the job's rate,
	 * or null when it is not running.
	 */
	private @Nullable Integer start(UUID bulkId, String runner) {
		List<Map<String, Object>> job = this.jdbc.queryForList("""
				UPDATE bulk_redrive SET runner = ?, started_at = COALESCE(started_at, now()), updated_at = now()
				WHERE id = ? AND status = 'RUNNING' RETURNING rate_per_second, claimed_through
				""", runner, bulkId);
		if (job.isEmpty()) {
			return null;
		}
		Integer unfinished = (Integer) job.getFirst().get("claimed_through");
		if (unfinished != null) {
			// a run claimed these and did not record them: they may have been sent, so they never go again
			int unconfirmed = this.jdbc.update("""
					UPDATE bulk_redrive_item SET state = 'FAILED', detail = ?, done_at = now()
					WHERE bulk_id = ? AND state = 'PENDING' AND seq <= ?
					""", UNCONFIRMED, bulkId, unfinished);
			this.jdbc.update("""
					UPDATE bulk_redrive SET failed = failed + ?, unconfirmed = unconfirmed + ?, claimed_through = NULL,
					    open_claims = 0, updated_at = now()
					WHERE id = ?
					""", unconfirmed, unconfirmed, bulkId);
			log.warn("Bulk redrive {}: {} records of chunks whose run stopped before recording them are marked "
					+ "unconfirmed and not sent again", bulkId, unconfirmed);
		}
		return (Integer) job.getFirst().get("rate_per_second");
	}

	/**
	 * Claims the next chunk after every open claim, committed before it is sent. No items and no stop:
	 * what is left is claimed by another lane of this run.
	 */
	private Claim claim(UUID bulkId, String runner, int size) {
		List<Map<String, Object>> job = this.jdbc.queryForList(
				"SELECT status, runner, claimed_through, open_claims FROM bulk_redrive WHERE id = ? FOR UPDATE",
				bulkId);
		if (job.isEmpty() || !"RUNNING".equals(job.getFirst().get("status"))
				|| !runner.equals(job.getFirst().get("runner"))) {
			return new Claim(Map.of(), 0, Run.STOPPED);
		}
		Integer claimedThrough = (Integer) job.getFirst().get("claimed_through");
		int openClaims = (Integer) job.getFirst().get("open_claims");
		Map<Integer, UUID> items = new LinkedHashMap<>();
		this.jdbc.query("""
				SELECT seq, entry_id FROM bulk_redrive_item
				WHERE bulk_id = ? AND state = 'PENDING' AND seq > ? ORDER BY seq LIMIT ?
				""", (rs) -> {
			items.put(rs.getInt("seq"), rs.getObject("entry_id", UUID.class));
		}, bulkId, (claimedThrough != null) ? claimedThrough : 0, size);
		if (items.isEmpty()) {
			if (openClaims > 0) {
				return new Claim(Map.of(), 0, null);
			}
			this.jdbc.update("UPDATE bulk_redrive SET status = 'COMPLETED', finished_at = now(), updated_at = now() "
					+ "WHERE id = ?", bulkId);
			return new Claim(Map.of(), 0, Run.COMPLETED);
		}
		int through = items.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
		this.jdbc.update("UPDATE bulk_redrive SET claimed_through = ?, open_claims = open_claims + 1, "
				+ "updated_at = now() WHERE id = ?", through, bulkId);
		return new Claim(items, through, null);
	}

	/**
	 * Sends a claimed chunk and records it, closing the claim. The job row is locked only to record the
	 * chunk, so another lane can claim meanwhile: a pause or cancel that comes during the send lets the
	 * chunk finish; a run that took over meanwhile has retired this claim (its items are unconfirmed), so
	 * then only the redrives and entries are recorded, which is what happened.
	 */
	private Chunk send(UUID bulkId, String runner, Claim claim) {
		List<Map<String, Object>> job = this.jdbc.queryForList("""
				SELECT status, runner, target_topic, created_by, reason FROM bulk_redrive WHERE id = ?
				""", bulkId);
		if (job.isEmpty() || !runner.equals(job.getFirst().get("runner"))) {
			// taken over since the claim, which the new run retired: nothing of it may be sent now
			return new Chunk(0, 0, Run.STOPPED);
		}
		if (!"RUNNING".equals(job.getFirst().get("status"))) {
			// paused or cancelled since the claim: nothing was sent, so the claim is closed
			closeClaim(bulkId, runner);
			return new Chunk(0, 0, Run.STOPPED);
		}
		Map<Integer, UUID> items = claim.items();
		// locked in id order, as every multi-entry lock here is, so two jobs can never deadlock; and loaded in
		// the same statement
		Map<UUID, StoredMessage> locked = new HashMap<>();
		for (StoredMessage message : this.payloads.lockAndLoad(items.values())) {
			locked.put(message.entryId(), message);
		}
		Map<UUID, String> skipped = new LinkedHashMap<>();
		List<StoredMessage> sendable = new ArrayList<>();
		for (UUID entry : items.values()) {
			StoredMessage message = locked.get(entry);
			if (message == null) {
				skipped.put(entry, "entry gone");
			}
			else if ("DISCARDED".equals(message.status()) || "RETRYING".equals(message.status())) {
				skipped.put(entry, "entry was " + message.status());
			}
			else {
				sendable.add(message);
			}
		}
		Map<String, Object> row = job.getFirst();
		Redriver.Result result = this.redriver.redriveLoaded(sendable.stream().map(StoredMessage::entryId).toList(),
				sendable,
				new Redriver.Request(Redriver.Kind.BULK, (String) row.get("target_topic"),
						String.valueOf(row.get("created_by")), (String) row.get("reason"), bulkId));
		List<String> owner = this.jdbc.queryForList("SELECT runner FROM bulk_redrive WHERE id = ? FOR UPDATE",
				String.class, bulkId);
		if (owner.isEmpty() || !runner.equals(owner.getFirst())) {
			// a newer run retired this claim while it was sent: its items stay as that run marked them
			return new Chunk(0, 0, Run.STOPPED);
		}
		Map<UUID, Long> sent = result.sent()
			.stream()
			.collect(Collectors.toMap(Redriver.Sent::entryId, Redriver.Sent::redriveId));
		List<Integer> seqs = new ArrayList<>();
		List<String> states = new ArrayList<>();
		List<@Nullable Long> redrives = new ArrayList<>();
		List<@Nullable String> details = new ArrayList<>();
		int[] counts = new int[4];
		items.forEach((seq, entry) -> {
			if (result.retryLater().contains(entry)) {
				// not delivered for now: stays pending for a later run
				return;
			}
			seqs.add(seq);
			if (sent.containsKey(entry)) {
				states.add("SENT");
				redrives.add(sent.get(entry));
				details.add(null);
				counts[0]++;
			}
			else if (skipped.containsKey(entry)) {
				states.add("SKIPPED");
				redrives.add(null);
				details.add(skipped.get(entry));
				counts[1]++;
			}
			else {
				String reason = result.failed().getOrDefault(entry, "not sent");
				states.add("FAILED");
				redrives.add(null);
				details.add(reason);
				counts[2]++;
				if (Redriver.UNCONFIRMED.equals(reason)) {
					counts[3]++;
				}
			}
		});
		if (!seqs.isEmpty()) {
			this.jdbc.update("""
					UPDATE bulk_redrive_item i SET state = u.state, redrive_id = u.redrive_id, detail = u.detail,
					    done_at = now()
					FROM unnest(?::int[], ?::text[], ?::bigint[], ?::text[]) AS u(seq, state, redrive_id, detail)
					WHERE i.bulk_id = ? AND i.seq = u.seq AND i.state = 'PENDING'
					""", seqs.toArray(Integer[]::new), states.toArray(String[]::new), redrives.toArray(Long[]::new),
					details.toArray(String[]::new), bulkId);
		}
		this.jdbc.update("""
				UPDATE bulk_redrive SET sent = sent + ?, skipped = skipped + ?, failed = failed + ?,
				    unconfirmed = unconfirmed + ?, open_claims = GREATEST(open_claims - 1, 0),
				    claimed_through = CASE WHEN open_claims > 1 THEN claimed_through END, updated_at = now()
				WHERE id = ?
				""", counts[0], counts[1], counts[2], counts[3], bulkId);
		return new Chunk(counts[0] + counts[2], result.retryLater().size(), null);
	}

	/** Closes a claim that was not sent (only the run that owns the job does). */
	private void closeClaim(UUID bulkId, String runner) {
		this.jdbc.update("""
				UPDATE bulk_redrive SET open_claims = GREATEST(open_claims - 1, 0),
				    claimed_through = CASE WHEN open_claims > 1 THEN claimed_through END, updated_at = now()
				WHERE id = ? AND runner = ?
				""", bulkId, runner);
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

	/**
	 * A claimed chunk.
	 * @param items the entries by item sequence number
	 * @param through the highest sequence number (what {@code claimed_through} holds)
	 */
	private record Claim(Map<Integer, UUID> items, int through, @Nullable Run stop) {
	}

	/**
	 * @param attempted records handed to the broker, sent or failed
	 * @param retryLater records left pending because the broker did not take them for now
	 */
	private record Chunk(int attempted, int retryLater, @Nullable Run stop) {
	}

	/** What the lanes of one run share. */
	private static final class Lanes {

		final long deadline;

		final AtomicInteger chunks;

		final BooleanSupplier stopping;

		volatile boolean stop;

		Lanes(long deadline, AtomicInteger chunks, BooleanSupplier stopping) {
			this.deadline = deadline;
			this.chunks = chunks;
			this.stopping = stopping;
		}

	}

	/** The broker did not take some records of a chunk for now; they stay pending for the next run. */
	static final class BrokerUnavailableException extends IllegalStateException {

		BrokerUnavailableException(String message) {
			super(message);
		}

	}


}
